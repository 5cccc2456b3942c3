package dev.novaproxy.config;

import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.UpstreamUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * The rules for the settings' values: one place, so that {@code config set}, the values read from
 * the environment and the file, and the flags that share a rule all refuse the same things.
 */
public final class Checks {
  /** The one upstream host a saved or inherited URL may name, besides this machine. */
  public static final Check REGION =
      matching("[a-z]{2}(-[a-z]+)+-\\d+", "is not an AWS region such as us-east-1");

  public static final Check PROFILE = matching("[^\\p{Cntrl}]+", "is not an AWS profile name");

  /** As {@code ResourceNames} requires: Lambda allows 64 characters, the role adds a suffix. */
  public static final Check NAME =
      matching(
          "[A-Za-z][A-Za-z0-9-]{0,41}",
          "cannot name AWS resources: use a letter, then letters, digits or '-', at most 42"
              + " characters");

  public static final Check SECRET_NAME =
      matching(
          "[A-Za-z0-9/_+=.@-]{1,512}",
          "is not a Secrets Manager secret name (letters, digits and /_+=.@- only)");

  /** Nova's names (nova-2-lite-v1) and the user's own agents: one word, no spaces or commas. */
  public static final Check MODEL =
      matching("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}", "is not a model name such as nova-2-lite-v1");

  /** As --model-alias takes them: NAME=MODEL, each part a model name. */
  public static final Check MODEL_ALIAS =
      matching(
          "[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}=[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}",
          "is not a model alias such as chat=nova-2-lite-v1");

  /** As --allow-origin accepts them. */
  public static final Check ORIGIN =
      v ->
          v.equals("*") || v.matches("https?://[^/\\s]+")
              ? null
              : quote(v)
                  + " is not an origin such as https://app.example.com (scheme and host, no path)"
                  + " or '*'";

  public static final Check HOST =
      matching("[A-Za-z0-9._:%\\[\\]-]+", "is not a host name or address such as 127.0.0.1");

  public static final Check PORT =
      wholeNumber(0, 65535, "is not a port from 0 to 65535 (0 picks a free one)");

  public static final Check MAX_TOKENS_CAP =
      wholeNumber(1, Integer.MAX_VALUE, "is not a whole number of 1 or more");

  public static final Check MAX_IN_FLIGHT =
      wholeNumber(1, 1_000_000, "is not a whole number of chats from 1 to 1000000");

  public static final Check WRITE_TIMEOUT =
      wholeNumber(1, 3600, "is not a whole number of seconds from 1 to 3600");

  public static final Check MAX_BODY_BYTES =
      wholeNumber(1024, Integer.MAX_VALUE, "is not a whole number of bytes, 1024 or more");

  public static final Check ENDPOINT_URL =
      httpUrl("is not an endpoint URL such as http://127.0.0.1:5000");

  public static final Check PROXY_URL =
      httpUrl("is not the proxy's URL, such as http://127.0.0.1:8080 or the deployed https URL");

  /** Never repeats the value: a client token pasted by mistake must not reach a terminal log. */
  public static final Check CLIENT_TOKEN_SHA256 =
      v -> {
        try {
          ClientAuth.ofSha256(List.of(v));
          return null;
        } catch (IllegalArgumentException e) {
          return clause(e.getMessage());
        }
      };

  /**
   * The Nova base URL: what {@link UpstreamUrl} accepts (https, or http to this machine), with no
   * user name or password, and Nova's own host or this machine. The key goes wherever this points,
   * so a value from a file or the environment must not point it anywhere else; another host is for
   * a flag given on purpose.
   */
  public static final Check UPSTREAM_URL =
      v -> {
        try {
          // With no extra hosts allowed: the Nova API or this machine, no user info.
          UpstreamUrl.parse(v);
          return null;
        } catch (IllegalArgumentException e) {
          return clause(e.getMessage());
        }
      };

  private static Check matching(String regex, String clause) {
    return v -> v.matches(regex) ? null : quote(v) + " " + clause;
  }

  private static Check wholeNumber(long min, long max, String clause) {
    return v -> {
      try {
        long n = Long.parseLong(v);
        return n >= min && n <= max ? null : quote(v) + " " + clause;
      } catch (NumberFormatException e) {
        return quote(v) + " " + clause;
      }
    };
  }

  private static Check httpUrl(String clause) {
    return v -> {
      try {
        URI uri = new URI(v);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
            ? null
            : quote(v) + " " + clause;
      } catch (URISyntaxException e) {
        return quote(v) + " " + clause;
      }
    };
  }

  static String quote(String v) {
    return "'" + v + "'";
  }

  /** A sentence from elsewhere as a clause: "The URL is bad." becomes "the URL is bad". */
  private static String clause(String sentence) {
    String s = sentence.strip();
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private Checks() {}
}
