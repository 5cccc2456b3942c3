package dev.novaproxy.proxy;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the proxy core sees it, whichever server or event it came from.
 *
 * @param headers header names in lower case, one value each (the first, or joined as the server
 *     gave)
 */
public record ProxyRequest(String method, String path, Map<String, String> headers, byte[] body) {
  public ProxyRequest {
    Map<String, String> lower = new TreeMap<>();
    headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
    body = body == null ? new byte[0] : body;
  }

  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }
}
