package dev.novaproxy.proxy;

import java.util.Map;

/**
 * A failure the proxy answers with an OpenAI-shaped error body. Every rejection of a client request
 * and every upstream failure is one of these, so that one place turns them into responses.
 */
public final class ProxyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final Map<String, String> headers;

  public ProxyException(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, Map.of());
  }

  public ProxyException(
      int status,
      String type,
      String code,
      String param,
      String message,
      Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = Map.copyOf(headers);
  }

  /** 400: the request is not a valid chat completion request; {@code param} names the field. */
  public static ProxyException invalid(String param, String message) {
    return new ProxyException(400, "invalid_request_error", "invalid_value", param, message);
  }

  public static ProxyException invalid(String param, String code, String message) {
    return new ProxyException(400, "invalid_request_error", code, param, message);
  }

  public static ProxyException notFound(String path) {
    return new ProxyException(
        404, "invalid_request_error", "unknown_url", null, "Unknown path " + path + ".");
  }

  public static ProxyException methodNotAllowed(String method, String allowed) {
    return new ProxyException(
        405,
        "invalid_request_error",
        "method_not_allowed",
        null,
        "Method " + method + " is not allowed here; use " + allowed + ".",
        Map.of("Allow", allowed));
  }

  public static ProxyException tooLarge(long limitBytes) {
    return new ProxyException(
        413,
        "invalid_request_error",
        "request_too_large",
        null,
        "The request body is larger than the limit of " + limitBytes + " bytes.");
  }

  public static ProxyException unsupportedMediaType(String contentType) {
    return new ProxyException(
        415,
        "invalid_request_error",
        "unsupported_media_type",
        null,
        "The request body must be JSON (Content-Type: application/json), not " + contentType + ".");
  }

  public static ProxyException rateLimited(String message, long retryAfterSeconds) {
    return new ProxyException(
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
        null,
        message,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public static ProxyException badGateway(String message) {
    return new ProxyException(502, "upstream_error", "bad_gateway", null, message);
  }

  public static ProxyException gatewayTimeout(String message) {
    return new ProxyException(504, "upstream_error", "upstream_timeout", null, message);
  }

  /** The proxy cannot read its own Nova key: the operator's problem, not the client's. */
  public static ProxyException secretUnavailable() {
    return new ProxyException(
        502,
        "upstream_error",
        "secret_unavailable",
        null,
        "The proxy cannot read its Nova API key; the operator must check the secret and the proxy's log.");
  }

  public static ProxyException internal(String message) {
    return new ProxyException(500, "server_error", "internal_error", null, message);
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

  /** Extra response headers this error needs (Retry-After, Allow). */
  public Map<String, String> headers() {
    return headers;
  }
}
