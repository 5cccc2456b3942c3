package dev.novaproxy.proxy;

/**
 * What a deployed proxy whose settings are unusable (an upstream host that is not allowed, a
 * malformed number) answers to every request: an OpenAI-shaped 500 that says the operator must act,
 * rather than the platform's bare "Internal Server Error" for a function that failed to start. The
 * reason goes to the operator's log once, at start; clients are not told the settings.
 */
public final class MisconfiguredProxy {
  private final AccessLog log;

  /**
   * @param reason why the settings were refused, for the log (it never holds the key: settings do
   *     not)
   */
  public MisconfiguredProxy(String reason, AccessLog log) {
    this.log = log;
    log.warn("The proxy's settings are refused, so it answers every request with 500: " + reason);
  }

  public ProxyResponse handle(ProxyRequest request) {
    return handle(request, null);
  }

  /** As {@link #handle(ProxyRequest)}, logged as having come through {@code door}. */
  public ProxyResponse handle(ProxyRequest request, String door) {
    RequestRecord record =
        new RequestRecord(
            RequestIds.from(request.header("x-request-id")), request.method(), request.path());
    record.door = door;
    record.errorCode = "proxy_misconfigured";
    ProxyResponse response =
        ErrorBodies.response(
            new ProxyException(
                500,
                "server_error",
                record.errorCode,
                null,
                "The proxy is misconfigured and sends nothing to Nova; the operator must fix its"
                    + " settings (the reason is in the proxy's log)."));
    response.header("x-request-id", record.requestId);
    record.status = response.status();
    log.write(record);
    return response;
  }
}
