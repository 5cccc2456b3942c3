package dev.novaproxy.proxy;

import java.util.List;

/**
 * Which browser origins may call the proxy. A request from another origin is refused before it
 * reaches Nova: the browser would hide the answer anyway, but the tokens would still be spent.
 */
public final class Cors {
  /** The CORS lists, shared with the deployed HTTP API's CORS configuration. */
  public static final List<String> ALLOWED_HEADERS =
      List.of("authorization", "content-type", "x-request-id");

  public static final List<String> ALLOWED_METHODS = List.of("GET", "OPTIONS", "POST");
  public static final List<String> EXPOSED_HEADERS = List.of("retry-after", "x-request-id");

  private final List<String> origins;
  private final boolean any;
  private final boolean varies;

  Cors(List<String> origins) {
    this.origins = origins;
    this.any = origins.contains("*");
    // With a list of origins the CORS headers (and whether the request is refused) depend on the
    // Origin header, so every answer must say so, also to requests without one: otherwise a cache
    // could hand an answer without CORS headers, or for another origin, to a browser.
    this.varies = !origins.isEmpty() && !origins.equals(List.of("*"));
  }

  /** True for requests without an Origin (not from a browser) and for allowed origins. */
  boolean allows(String origin) {
    return origin == null || any || origins.contains(origin);
  }

  /**
   * Adds the CORS response headers for an allowed browser origin, and {@code Vary: Origin} to every
   * answer whose headers depend on the origin.
   */
  void decorate(ProxyResponse response, String origin) {
    if (varies) {
      response.header("Vary", "Origin");
    }
    if (origin == null || !allows(origin)) {
      return;
    }
    if (any) {
      response.header("Access-Control-Allow-Origin", "*");
    } else {
      response.header("Access-Control-Allow-Origin", origin);
    }
    response.header("Access-Control-Expose-Headers", String.join(", ", EXPOSED_HEADERS));
  }

  /** The answer to a preflight OPTIONS request. */
  ProxyResponse preflight(String origin) {
    if (origin == null || !allows(origin)) {
      return ErrorBodies.response(forbidden(origin));
    }
    ProxyResponse r = ProxyResponse.empty(204);
    decorate(r, origin);
    r.header("Access-Control-Allow-Methods", String.join(", ", ALLOWED_METHODS));
    r.header("Access-Control-Allow-Headers", String.join(", ", ALLOWED_HEADERS));
    r.header("Access-Control-Max-Age", "600");
    return r;
  }

  static ProxyException forbidden(String origin) {
    return new ProxyException(
        403,
        "invalid_request_error",
        "origin_not_allowed",
        null,
        origin == null
            ? "A CORS preflight needs an Origin header."
            : "Origin "
                + origin
                + " is not allowed to call this proxy; the operator can allow it with --allow-origin.");
  }
}
