package dev.novaproxy.aws;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a deployment is watched: who gets its alarms, and how long its function's logs are kept.
 * Deploy reads both back from AWS (the alarm topic's tag, the log group's retention), so a plain
 * redeploy keeps them.
 *
 * @param alarmEmail the address the alarms mail to; null: no alarms and no topic
 * @param logRetentionDays how long CloudWatch Logs keeps the function's log lines; null: forever
 */
public record MonitoringSettings(String alarmEmail, Integer logRetentionDays) {
  public static final int DEFAULT_LOG_RETENTION_DAYS = 30;

  /** The values CloudWatch Logs accepts for a retention (PutRetentionPolicy's retentionInDays). */
  public static final List<Integer> RETENTION_DAYS =
      List.of(
          1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
          2922, 3288, 3653);

  // Deliberately loose (one @, a dot in the domain, no spaces): SNS checks the address, and the
  // owner confirms it from the mail; this only catches a mistyped flag.
  private static final Pattern EMAIL = Pattern.compile("[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;.]+");

  public MonitoringSettings {
    if (alarmEmail != null && !validEmail(alarmEmail)) {
      throw new IllegalArgumentException("'" + alarmEmail + "' is not an e-mail address");
    }
    if (logRetentionDays != null && !RETENTION_DAYS.contains(logRetentionDays)) {
      throw new IllegalArgumentException(
          "CloudWatch Logs keeps logs for one of "
              + RETENTION_DAYS
              + " days, not "
              + logRetentionDays);
    }
  }

  /** A new deployment's: no alarms until an address is given, logs kept 30 days. */
  public static MonitoringSettings defaults() {
    return new MonitoringSettings(null, DEFAULT_LOG_RETENTION_DAYS);
  }

  public static boolean validEmail(String s) {
    return s.length() <= 254 && EMAIL.matcher(s).matches();
  }

  public boolean alarms() {
    return alarmEmail != null;
  }

  public MonitoringSettings withAlarmEmail(String email) {
    return new MonitoringSettings(email, logRetentionDays);
  }

  public MonitoringSettings withLogRetentionDays(Integer days) {
    return new MonitoringSettings(alarmEmail, days);
  }

  /** "30 days", or "never" (logs kept forever): for plans and status. */
  public static String retention(Integer days) {
    return days == null ? "never" : days + (days == 1 ? " day" : " days");
  }

  /**
   * Parses a {@code --log-retention-days} value: one of {@link #RETENTION_DAYS}, or {@code never}.
   *
   * @return the days, or null for never
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Integer parseRetention(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("never")) {
      return null;
    }
    try {
      int days = Integer.parseInt(t);
      if (RETENTION_DAYS.contains(days)) {
        return days;
      }
    } catch (NumberFormatException e) {
      // the message below says what is accepted
    }
    throw new IllegalArgumentException(
        "--log-retention-days takes one of CloudWatch Logs' values "
            + RETENTION_DAYS
            + ", or 'never', not '"
            + text
            + "'");
  }
}
