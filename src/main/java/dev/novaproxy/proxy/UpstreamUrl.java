package dev.novaproxy.proxy;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a Nova base URL before any key is sent to it. The key travels in a header to whatever host
 * the URL names, so by default only two kinds of host are accepted: the Nova API itself ({@value
 * #NOVA_API_HOST}, https) and this machine (127.0.0.0/8, ::1, localhost; http or https), where the
 * key never leaves the machine and where tests and local stand-ins run. Any other host must be
 * allowed explicitly (serve's and deploy's {@code --allow-upstream-host}, the function's {@code
 * NOVA_UPSTREAM_ALLOWED_HOSTS}), and even then only over https.
 *
 * <p>Error messages never repeat a user name, password, query or fragment from the URL: any of them
 * may be a credential.
 */
public final class UpstreamUrl {
  /** The one remote host the key goes to without an explicit opt-in. */
  public static final String NOVA_API_HOST = "api.nova.amazon.com";

  // A DNS name or an IPv4 address; IPv6 literals are loopback-only and need no opt-in.
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127\\." + OCTET + "\\." + OCTET + "\\." + OCTET);

  /**
   * The URL, checked, with no extra hosts allowed: the Nova API or this machine only.
   *
   * @throws IllegalArgumentException with a message naming what is wrong and the fix
   */
  public static URI parse(String text) {
    return parse(text, List.of());
  }

  /**
   * The URL, checked: https to the Nova API or to one of {@code allowedExtraHosts}, or http or
   * https to this machine.
   *
   * @param allowedExtraHosts host names (no scheme, port or path) the operator explicitly allowed;
   *     compared without regard to case, see {@link #allowedHost}
   * @throws IllegalArgumentException with a message naming what is wrong and the fix; it never
   *     holds the URL's user name, password, query or fragment
   */
  public static URI parse(String text, Collection<String> allowedExtraHosts) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw invalid(text, "it is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw invalid(text, "it must be an https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(text, "it must not hold a user name or password (the proxy sends the key)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid(text, "it must not have a query or fragment");
    }
    String host = bare(uri.getHost());
    if (isLoopback(host)) {
      return uri;
    }
    if (scheme.equals("http")) {
      throw invalid(
          text,
          "plain http would send the Nova key unencrypted; use https (http only to this machine)");
    }
    if (host.equals(NOVA_API_HOST)
        || allowedExtraHosts.stream().anyMatch(h -> h.strip().equalsIgnoreCase(host))) {
      return uri;
    }
    throw new IllegalArgumentException(
        "The upstream URL '"
            + redacted(text)
            + "' is refused: the Nova key would be sent to "
            + host
            + ", which is not the Nova API ("
            + NOVA_API_HOST
            + "). If you trust that host, allow it with --allow-upstream-host "
            + host
            + " (NOVA_UPSTREAM_ALLOWED_HOSTS in the function's environment).");
  }

  /**
   * Whether the key, sent to this (already checked) URL, goes to a host other than the Nova API and
   * this machine: one that was allowed explicitly, which deserves a warning.
   */
  public static boolean isExplicitlyAllowedHost(URI checked) {
    String host = bare(checked.getHost());
    return !host.equals(NOVA_API_HOST) && !isLoopback(host);
  }

  /**
   * The line serve prints (and deploy may print) when the key goes to an explicitly allowed host.
   */
  public static String warning(URI checked) {
    return "warning: the Nova key will be sent to "
        + bare(checked.getHost())
        + ", which is not the Nova API";
  }

  /**
   * One entry of an allowed-hosts list, normalised (lower case, no brackets).
   *
   * @throws IllegalArgumentException when it is not a bare host name such as {@code
   *     nova.internal.example}
   */
  public static String allowedHost(String entry) {
    String h = entry.strip().toLowerCase(Locale.ROOT);
    if (!HOST_NAME.matcher(h).matches() || h.length() > 253) {
      throw new IllegalArgumentException(
          "An allowed upstream host is a host name such as nova.internal.example (no scheme, port"
              + " or path), not '"
              + redacted(entry.strip())
              + "'.");
    }
    return h;
  }

  /**
   * The URL as it may appear in a message: without user name, password, query and fragment. Works
   * on text that is not a valid URL too.
   */
  public static String redacted(String text) {
    String t = text.strip();
    int cut = indexOfAny(t, '?', '#');
    if (cut >= 0) {
      t = t.substring(0, cut);
    }
    int schemeEnd = t.indexOf("://");
    int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
    // The last '@' ends the user info even when a password holds an '@' or a '/'.
    int at = t.lastIndexOf('@');
    if (at >= start) {
      t = t.substring(0, start) + t.substring(at + 1);
    }
    return t;
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  private static String bare(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.toLowerCase(Locale.ROOT);
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost") || IPV4_LOOPBACK.matcher(host).matches()) {
      return true;
    }
    // Only literal addresses: a name is never resolved (that could itself leave the machine), and
    // a string with a colon is taken as an IPv6 literal, never looked up.
    if (!host.contains(":") || !host.matches("[0-9a-f:.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(
        "The upstream URL '"
            + redacted(text)
            + "' is not usable: "
            + why
            + ", e.g. https://api.nova.amazon.com/v1.");
  }

  private UpstreamUrl() {}
}
