package dev.novaproxy.cli.keys;

import dev.novaproxy.limits.dynamo.DynamoLimitsStore.Counter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the counters say about each key: tokens per UTC day and when it was last used. The names are
 * the limits core's ({@code LimitsStore}'s javadoc): {@code tokens#key:NAME#YYYY-MM-DD} per key and
 * day, {@code tokens#budget#YYYY-MM-DD} for the whole deployment, and any counter of a key, such as
 * {@code rpm#key:NAME#YYYYMMDDHHMM}, changed when the key was used.
 */
final class KeyCounters {
  private static final Pattern OF_KEY = Pattern.compile("^[a-z]+#key:([^#]+)#.*$");
  private static final Pattern KEY_TOKENS =
      Pattern.compile("^tokens#key:([^#]+)#(\\d{4}-\\d{2}-\\d{2})$");
  private static final Pattern BUDGET = Pattern.compile("^tokens#budget#(\\d{4}-\\d{2}-\\d{2})$");

  /** Tokens by key name and day. */
  final Map<String, Map<LocalDate, Long>> tokens = new HashMap<>();

  /** Tokens of the whole deployment by day, where a daily budget counted them. */
  final Map<LocalDate, Long> deployment = new HashMap<>();

  private final Map<String, Instant> lastUsed = new HashMap<>();

  KeyCounters(Iterable<Counter> counters) {
    for (Counter c : counters) {
      Matcher key = OF_KEY.matcher(c.name());
      if (key.matches() && c.updated() != null) {
        lastUsed.merge(key.group(1), c.updated(), (a, b) -> a.isAfter(b) ? a : b);
      }
      Matcher t = KEY_TOKENS.matcher(c.name());
      if (t.matches()) {
        tokens
            .computeIfAbsent(t.group(1), k -> new HashMap<>())
            .merge(LocalDate.parse(t.group(2)), c.value(), Long::sum);
      }
      Matcher b = BUDGET.matcher(c.name());
      if (b.matches()) {
        deployment.merge(LocalDate.parse(b.group(1)), c.value(), Long::sum);
      }
    }
  }

  Optional<Instant> lastUsed(String key) {
    return Optional.ofNullable(lastUsed.get(key));
  }

  long tokens(String key, LocalDate day) {
    return tokens.getOrDefault(key, Map.of()).getOrDefault(day, 0L);
  }
}
