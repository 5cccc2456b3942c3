package dev.novaproxy.limits;

import java.util.Map;
import java.util.TreeMap;

/**
 * Who may call and how much, per deployment. Travels as the function's environment (deploy writes
 * it, the Lambda reads it) like the rest of the proxy's settings.
 *
 * @param keysTable the DynamoDB table with keys and counters; null: no table (serve uses a local
 *     file, a function without one enforces no client keys)
 * @param anonymous whether a caller with no client key is served (limited per source IP)
 * @param anonymousRpm requests per minute per source IP for anonymous callers, or null
 * @param anonymousTokensPerDay tokens per UTC day per source IP for anonymous callers, or null
 * @param dailyTokenBudget tokens per UTC day for the whole deployment, whoever calls, or null
 */
public record LimitsSettings(
    String keysTable,
    boolean anonymous,
    Integer anonymousRpm,
    Long anonymousTokensPerDay,
    Long dailyTokenBudget) {

  public static final String ENV_KEYS_TABLE = "NOVA_KEYS_TABLE";
  public static final String ENV_ANONYMOUS = "NOVA_ANONYMOUS"; // allow | deny
  public static final String ENV_ANONYMOUS_RPM = "NOVA_ANONYMOUS_RPM";
  public static final String ENV_ANONYMOUS_TOKENS_PER_DAY = "NOVA_ANONYMOUS_TOKENS_PER_DAY";
  public static final String ENV_DAILY_TOKEN_BUDGET = "NOVA_DAILY_TOKEN_BUDGET";

  /**
   * Blank table names are no table; limits are positive. So every value made here survives {@link
   * #toEnvironment} and {@link #fromEnvironment} unchanged (deploy reads a function back that way).
   */
  public LimitsSettings {
    keysTable = blankToNull(keysTable);
    if ((anonymousRpm != null && anonymousRpm < 1)
        || (anonymousTokensPerDay != null && anonymousTokensPerDay < 1)
        || (dailyTokenBudget != null && dailyTokenBudget < 1)) {
      throw new IllegalArgumentException("Limits are whole numbers of at least 1, or none.");
    }
  }

  /** No table, anonymous callers allowed, no limits: today's behaviour. */
  public static LimitsSettings off() {
    return new LimitsSettings(null, true, null, null, null);
  }

  /** Whether any limit or key check applies. */
  public boolean active() {
    return keysTable != null
        || !anonymous
        || anonymousRpm != null
        || anonymousTokensPerDay != null
        || dailyTokenBudget != null;
  }

  /**
   * Reads the settings from the environment.
   *
   * @throws IllegalArgumentException naming a variable whose value is malformed
   */
  public static LimitsSettings fromEnvironment(Map<String, String> env) {
    String anon = blankToNull(env.get(ENV_ANONYMOUS));
    if (anon != null && !anon.equals("allow") && !anon.equals("deny")) {
      throw new IllegalArgumentException(
          ENV_ANONYMOUS + " must be allow or deny, not '" + anon + "'");
    }
    Long rpm = positive(env, ENV_ANONYMOUS_RPM);
    if (rpm != null && rpm > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          ENV_ANONYMOUS_RPM + " must be at most " + Integer.MAX_VALUE + ", not '" + rpm + "'");
    }
    return new LimitsSettings(
        blankToNull(env.get(ENV_KEYS_TABLE)),
        !"deny".equals(anon),
        rpm == null ? null : rpm.intValue(),
        positive(env, ENV_ANONYMOUS_TOKENS_PER_DAY),
        positive(env, ENV_DAILY_TOKEN_BUDGET));
  }

  /** The inverse of {@link #fromEnvironment}; unset values are left out. */
  public Map<String, String> toEnvironment() {
    Map<String, String> env = new TreeMap<>();
    if (keysTable != null) {
      env.put(ENV_KEYS_TABLE, keysTable);
    }
    if (!anonymous) {
      env.put(ENV_ANONYMOUS, "deny");
    }
    if (anonymousRpm != null) {
      env.put(ENV_ANONYMOUS_RPM, anonymousRpm.toString());
    }
    if (anonymousTokensPerDay != null) {
      env.put(ENV_ANONYMOUS_TOKENS_PER_DAY, anonymousTokensPerDay.toString());
    }
    if (dailyTokenBudget != null) {
      env.put(ENV_DAILY_TOKEN_BUDGET, dailyTokenBudget.toString());
    }
    return env;
  }

  private static Long positive(Map<String, String> env, String name) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " must be a positive whole number, not '" + v + "'");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
