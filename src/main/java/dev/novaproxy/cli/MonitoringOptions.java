package dev.novaproxy.cli;

import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.aws.MonitoringSettings;
import picocli.CommandLine.Option;

/**
 * How a deployment is watched, as deploy's flags. Like the other settings, a flag changes only its
 * own setting and a plain deploy keeps what is deployed; removing the alarms takes the word {@code
 * none}.
 */
public final class MonitoringOptions {
  @Option(
      names = "--alarm-email",
      paramLabel = "ADDRESS",
      description =
          "Mail ADDRESS when the proxy is in trouble: makes an SNS topic with that e-mail"
              + " subscription (confirm it from the mail AWS sends) and CloudWatch alarms on the 5xx"
              + " rate, p95 latency, Lambda errors and throttles, Nova's 429s and, with keys and a"
              + " daily token budget, 80%% of the budget. 'none' removes the alarms and the topic."
              + " Default: none.")
  String alarmEmail;

  @Option(
      names = "--log-retention-days",
      paramLabel = "DAYS",
      description =
          "How long CloudWatch Logs keeps the function's logs: 1, 3, 5, 7, 14, 30, 60, 90, 120,"
              + " 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653, or"
              + " 'never' to keep them forever. Default: 30.")
  String logRetentionDays;

  /** {@code base} with the given flags applied; a bad value is a usage error. */
  DeploymentSettings applyTo(DeploymentSettings base) {
    MonitoringSettings m = base.monitoring();
    if (alarmEmail != null) {
      String email = alarmEmail.strip();
      if (email.equalsIgnoreCase(PolicyOptions.NONE)) {
        m = m.withAlarmEmail(null);
      } else if (MonitoringSettings.validEmail(email)) {
        m = m.withAlarmEmail(email);
      } else {
        throw CliException.usage(
            "--alarm-email takes an e-mail address (name@example.com), or 'none' to remove the"
                + " alarms, not '"
                + alarmEmail
                + "'.");
      }
    }
    if (logRetentionDays != null) {
      try {
        m = m.withLogRetentionDays(MonitoringSettings.parseRetention(logRetentionDays));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage() + ".");
      }
    }
    return base.withMonitoring(m);
  }
}
