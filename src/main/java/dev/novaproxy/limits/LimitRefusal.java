package dev.novaproxy.limits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the limits refuse, with what the client is told: an HTTP status and an OpenAI-shaped
 * error (type, code, message), plus the headers it needs ({@code Retry-After}, {@code
 * WWW-Authenticate}). The proxy turns it into its error response; nothing has been sent to Nova.
 * Messages never hold a key or its hash.
 */
public final class LimitRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final Map<String, String> headers;

  LimitRefusal(
      int status,
      String type,
      String code,
      String param,
      String message,
      Map<String, String> headers,
      Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = Map.copyOf(headers);
  }

  /** 401: no usable client credential. */
  static LimitRefusal unauthorized(String code, String message) {
    return new LimitRefusal(
        401,
        "authentication_error",
        code,
        null,
        message,
        Map.of("WWW-Authenticate", "Bearer"),
        null);
  }

  /** 429: over a limit; {@code Retry-After} says when its window resets. */
  static LimitRefusal overLimit(String code, String message, long retryAfterSeconds) {
    return new LimitRefusal(
        429,
        "rate_limit_error",
        code,
        null,
        message,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)),
        null);
  }

  static LimitRefusal invalid(int status, String code, String param, String message) {
    return new LimitRefusal(status, "invalid_request_error", code, param, message, Map.of(), null);
  }

  static LimitRefusal forbidden(String code, String param, String message) {
    return new LimitRefusal(403, "permission_error", code, param, message, Map.of(), null);
  }

  /** 503: the store could not be asked, so the limits fail closed. */
  static LimitRefusal storeUnavailable(LimitsStore.StoreUnavailable cause) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Retry-After", "5");
    return new LimitRefusal(
        503,
        "server_error",
        "limits_unavailable",
        null,
        "The proxy cannot check its usage limits right now, so it does not forward requests;"
            + " retry shortly (the operator can see why in the proxy's log).",
        headers,
        cause);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The store failure behind a 503, for the operator's log; null otherwise. */
  public LimitsStore.StoreUnavailable storeFailure() {
    return getCause() instanceof LimitsStore.StoreUnavailable s ? s : null;
  }
}
