package dev.novaproxy.proxy;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Checks a Nova base URL before any key is sent to it. The key travels in a header, so the URL must
 * be https; plain http is allowed only to this machine (a local test upstream), where the key never
 * crosses a network.
 */
public final class UpstreamUrl {
  /**
   * The URL, checked.
   *
   * @throws IllegalArgumentException with a message naming what is wrong and an example
   */
  public static URI parse(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw invalid(text, "it is not a URL");
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw invalid(text, "it must be an https URL");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid(text, "it must not have a query or fragment");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw invalid(
          text,
          "plain http would send the Nova key unencrypted; use https (http only to this machine)");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: a name is not resolved (that could itself leave the machine).
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(
        "The upstream URL '"
            + text
            + "' is not usable: "
            + why
            + ", e.g. https://api.nova.amazon.com/v1.");
  }

  private UpstreamUrl() {}
}
