package dev.novaproxy.chat;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the chat client sends its requests. The user gives either the proxy's base URL ({@code
 * http://127.0.0.1:8080}, what {@code serve} prints) or the deployed chat URL ending in {@code
 * /chat} (what {@code deploy} prints); both lead to the same two routes.
 *
 * @param url the URL as the user gave it, for messages
 * @param completions where questions are POSTed
 * @param models where {@code /model} lists the models
 */
public record ChatEndpoint(String url, URI completions, URI models) {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  /**
   * Reads a URL given on the command line.
   *
   * @throws IllegalArgumentException naming what is wrong and what a good URL looks like
   */
  public static ChatEndpoint parse(String url) {
    String given = url.strip();
    URI uri;
    try {
      uri = new URI(given);
    } catch (URISyntaxException e) {
      throw bad(given);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw bad(given);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    String root = scheme.toLowerCase() + "://" + uri.getRawAuthority();
    String completions;
    String prefix;
    if (path.endsWith("/chat/completions")) {
      completions = path;
      prefix = stripSuffix(path.substring(0, path.length() - "/chat/completions".length()), "/v1");
    } else if (path.endsWith("/chat")) {
      completions = path;
      prefix = path.substring(0, path.length() - "/chat".length());
    } else {
      prefix = stripSuffix(path, "/v1");
      completions = prefix + "/v1/chat/completions";
    }
    return new ChatEndpoint(
        given, URI.create(root + completions), URI.create(root + prefix + "/v1/models"));
  }

  private static String stripSuffix(String s, String suffix) {
    return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }

  private static IllegalArgumentException bad(String given) {
    return new IllegalArgumentException(
        "--url takes the proxy's base URL such as "
            + DEFAULT_URL
            + " or a deployed URL ending in /chat, not '"
            + given
            + "'.");
  }
}
