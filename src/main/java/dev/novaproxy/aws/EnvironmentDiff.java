package dev.novaproxy.aws;

import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plan's account of a function's environment change: each variable that changes, old -> new. A
 * value is shown only when it cannot be a credential; the client-token hashes are shown short.
 */
final class EnvironmentDiff {
  /** Variables whose names look like credentials but whose values are not secret. */
  private static final Set<String> SAFE =
      Set.of(
          ProxySettings.ENV_SECRET_NAME,
          ProxySettings.ENV_CLIENT_TOKEN_SHA256,
          LimitsSettings.ENV_DAILY_TOKEN_BUDGET);

  private static final Set<String> CREDENTIAL_WORDS =
      Set.of("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "CREDENTIALS", "APIKEY");

  static List<String> lines(Map<String, String> have, Map<String, String> want) {
    List<String> out = new ArrayList<>();
    var names = new TreeSet<>(have.keySet());
    names.addAll(want.keySet());
    for (String name : names) {
      String a = have.get(name);
      String b = want.get(name);
      if (!Objects.equals(a, b)) {
        out.add("environment " + name + " " + show(name, a) + " -> " + show(name, b));
      }
    }
    return out;
  }

  private static String show(String name, String value) {
    if (value == null) {
      return "(unset)";
    }
    if (name.equals(ProxySettings.ENV_CLIENT_TOKEN_SHA256)) {
      List<String> shortened = new ArrayList<>();
      for (String h : value.split(",")) {
        shortened.add(h.strip().length() > 8 ? h.strip().substring(0, 8) + "…" : h.strip());
      }
      return String.join(",", shortened);
    }
    // By whole words, so that NOVA_MAX_TOKENS_CAP is shown and an API_KEY is not.
    boolean mayBeSecret =
        Arrays.stream(name.toUpperCase(Locale.ROOT).split("[^A-Z0-9]+"))
            .anyMatch(CREDENTIAL_WORDS::contains);
    return mayBeSecret && !SAFE.contains(name) ? "(a value not shown)" : value;
  }

  private EnvironmentDiff() {}
}
