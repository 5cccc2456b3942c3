package dev.novaproxy.cli.logs;

import dev.novaproxy.cli.CliException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --since}: how far back to read, as a duration before now or as an instant. */
final class Since {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd])");

  private Since() {}

  /**
   * @param value {@code 30s}, {@code 15m}, {@code 1h}, {@code 2d}, or an ISO-8601 instant such as
   *     {@code 2026-12-01T09:00:00Z} (an offset such as {@code +01:00} works too)
   * @throws CliException a usage error naming the accepted forms
   */
  static Instant parse(String value, Instant now) {
    String v = value.strip();
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration back =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(back);
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw CliException.usage(
          "--since '"
              + value
              + "' is neither a duration (30s, 15m, 1h, 2d) nor an ISO-8601 instant"
              + " (2026-12-01T09:00:00Z).");
    }
    if (at.isAfter(now)) {
      throw CliException.usage(
          "--since " + value + " is in the future; give a time before now, or a duration.");
    }
    return at;
  }
}
