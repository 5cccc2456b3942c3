package dev.novaproxy.aws;

import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plan's account of a function's environment change: each variable that changes, old -> new.
 * Values are shown only for the variables deploy itself writes, none of which is a credential (the
 * client-token hashes are shown short); any other variable, added by hand, shows no value.
 */
final class EnvironmentDiff {
  /** Variables whose values are shown. */
  private static final Set<String> SHOWN =
      Set.of(
          ProxySettings.ENV_SECRET_NAME,
          ProxySettings.ENV_UPSTREAM_URL,
          ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS,
          ProxySettings.ENV_MODEL_ALIASES,
          ProxySettings.ENV_DEFAULT_MODEL,
          ProxySettings.ENV_ALLOWED_MODELS,
          ProxySettings.ENV_MAX_TOKENS_CAP,
          ProxySettings.ENV_ALLOWED_ORIGINS,
          ProxySettings.ENV_MAX_BODY_BYTES,
          ProxySettings.ENV_TIMEOUT_SECONDS,
          ProxySettings.ENV_SECRET_TTL_SECONDS,
          ProxySettings.ENV_LOG_CONTENT,
          ProxySettings.ENV_CLIENT_TOKEN_SHA256,
          LimitsSettings.ENV_KEYS_TABLE,
          LimitsSettings.ENV_ANONYMOUS,
          LimitsSettings.ENV_ANONYMOUS_RPM,
          LimitsSettings.ENV_ANONYMOUS_TOKENS_PER_DAY,
          LimitsSettings.ENV_DAILY_TOKEN_BUDGET,
          "JAVA_TOOL_OPTIONS",
          "AWS_LAMBDA_EXEC_WRAPPER");

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
    return SHOWN.contains(name) ? value : "(a value not shown)";
  }

  private EnvironmentDiff() {}
}
