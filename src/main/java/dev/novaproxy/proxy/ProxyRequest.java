package dev.novaproxy.proxy;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the proxy core sees it, whichever server or event it came from.
 *
 * @param path the path without the query string
 * @param headers header names in lower case, one value each (the first, or joined as the server
 *     gave)
 * @param query the raw query string (without {@code ?}), or null; never forwarded nor logged, only
 *     checked for credentials when client keys are on
 * @param sourceIp the caller's address as the server (or API Gateway) saw it, or null when unknown;
 *     what anonymous callers are counted by
 */
public record ProxyRequest(
    String method,
    String path,
    Map<String, String> headers,
    byte[] body,
    String query,
    String sourceIp) {
  public ProxyRequest {
    Map<String, String> lower = new TreeMap<>();
    headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
    body = body == null ? new byte[0] : body;
    query = query == null || query.isEmpty() ? null : query;
  }

  /** A request with no query string and no known source address. */
  public ProxyRequest(String method, String path, Map<String, String> headers, byte[] body) {
    this(method, path, headers, body, null, null);
  }

  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }
}
