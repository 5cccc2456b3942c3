package dev.novaproxy.proxy;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Model aliases: names clients ask for ({@code "model": "chat"}) and the Nova model that answers
 * each, so the operator can move clients to another model without changing them. One level only: an
 * alias never names another alias, so what answers is plain to see. Written {@code
 * NAME=MODEL,NAME=MODEL} in {@value ProxySettings#ENV_MODEL_ALIASES} and on the command line.
 */
public final class ModelAliases {
  /** A model id as Nova writes them; no commas, '=' or spaces, which the list format uses. */
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}";

  /**
   * Parses {@code NAME=MODEL} entries (blank entries ignored).
   *
   * @throws IllegalArgumentException naming the entry that is not NAME=MODEL
   */
  public static Map<String, String> parse(List<String> entries) {
    Map<String, String> out = new TreeMap<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "a model alias is NAME=MODEL, e.g. chat=nova-2-lite-v1, not '" + entry + "'");
      }
      String name = entry.substring(0, eq).strip();
      String model = entry.substring(eq + 1).strip();
      String was = out.put(name, model);
      if (was != null && !was.equals(model)) {
        throw new IllegalArgumentException(
            "the model alias " + name + " is given twice (" + was + " and " + model + ")");
      }
    }
    return checked(out);
  }

  /** {@code NAME=MODEL,...} in name order, as the environment holds it. */
  public static String format(Map<String, String> aliases) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(aliases)
        .forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return s.toString();
  }

  /**
   * An unmodifiable copy in name order, after checking every name and target.
   *
   * @throws IllegalArgumentException for a malformed name, an alias of itself or of another alias
   */
  static Map<String, String> checked(Map<String, String> aliases) {
    for (var e : aliases.entrySet()) {
      for (String part : List.of(e.getKey(), e.getValue())) {
        if (!part.matches(NAME)) {
          throw new IllegalArgumentException(
              "'"
                  + part
                  + "' cannot be a model name in an alias: use letters, digits and . _ : / -");
        }
      }
      if (e.getKey().equals(e.getValue()) || aliases.containsKey(e.getValue())) {
        throw new IllegalArgumentException(
            "the model alias "
                + e.getKey()
                + "="
                + e.getValue()
                + " must name a Nova model, not an alias");
      }
    }
    return Collections.unmodifiableMap(new TreeMap<>(aliases));
  }

  private ModelAliases() {}
}
