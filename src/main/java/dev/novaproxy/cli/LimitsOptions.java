package dev.novaproxy.cli;

import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.limits.LimitsSettings;
import picocli.CommandLine.Option;

/**
 * Who may call a deployment and how much, as deploy's flags. Like {@link PolicyOptions}, a flag
 * changes only its own setting, and removing a limit takes the word {@code none}.
 */
public final class LimitsOptions {
  /** Whether a caller without a client key is served. */
  public enum Anonymous {
    allow,
    deny
  }

  @Option(
      names = "--keys",
      description =
          "Give the deployment a keys table (DynamoDB) for client keys made with 'novaproxy keys';"
              + " the default for a new deployment.")
  boolean keys;

  @Option(
      names = "--no-keys",
      description =
          "No client keys: the function checks none and counts no per-key usage. An existing"
              + " table is kept ('destroy --delete-data' deletes it).")
  boolean noKeys;

  @Option(
      names = "--anonymous",
      paramLabel = "WHO",
      description =
          "Whether callers without a client key are served: ${COMPLETION-CANDIDATES}; when allowed"
              + " they are limited per source IP by the two options below. Default: allow.")
  Anonymous anonymous;

  @Option(
      names = "--anonymous-rpm",
      paramLabel = "N",
      description =
          "Requests per minute per source IP for callers without a client key; 'none' removes the"
              + " limit. Default: none.")
  String anonymousRpm;

  @Option(
      names = "--anonymous-tokens-per-day",
      paramLabel = "N",
      description =
          "Tokens per UTC day per source IP for callers without a client key; 'none' removes the"
              + " limit. Default: none.")
  String anonymousTokensPerDay;

  @Option(
      names = "--daily-token-budget",
      paramLabel = "N",
      description =
          "Tokens per UTC day for the whole deployment, whoever calls: past it every call gets"
              + " 429 until midnight UTC (the owner's spend cap); 'none' removes it. Default: none.")
  String dailyTokenBudget;

  /** {@code base} with the given flags applied; a bad value or a contradiction is a usage error. */
  DeploymentSettings applyTo(DeploymentSettings base) {
    if (keys && noKeys) {
      throw CliException.usage("--keys and --no-keys contradict each other; give one.");
    }
    LimitsSettings l = base.limits();
    boolean withKeys = keys || (!noKeys && base.keys());
    boolean allowAnonymous = anonymous == null ? l.anonymous() : anonymous == Anonymous.allow;
    if (!withKeys && !allowAnonymous) {
      throw CliException.usage(
          "--anonymous deny without client keys would refuse every caller; add --keys, or"
              + " --anonymous allow.");
    }
    Long rpm = anonymousRpm == null ? null : positive("--anonymous-rpm", anonymousRpm);
    if (rpm != null && rpm > Integer.MAX_VALUE) {
      throw CliException.usage("--anonymous-rpm is at most " + Integer.MAX_VALUE + ".");
    }
    return base.withKeys(
        withKeys,
        new LimitsSettings(
            null,
            allowAnonymous,
            anonymousRpm == null ? l.anonymousRpm() : rpm == null ? null : rpm.intValue(),
            anonymousTokensPerDay == null
                ? l.anonymousTokensPerDay()
                : positive("--anonymous-tokens-per-day", anonymousTokensPerDay),
            dailyTokenBudget == null
                ? l.dailyTokenBudget()
                : positive("--daily-token-budget", dailyTokenBudget)));
  }

  /** A whole number of at least 1, or null for the word none. */
  private static Long positive(String flag, String value) {
    if (value.trim().equalsIgnoreCase(PolicyOptions.NONE)) {
      return null;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is accepted
    }
    throw CliException.usage(
        flag + " takes a whole number of at least 1, or 'none', not '" + value + "'.");
  }
}
