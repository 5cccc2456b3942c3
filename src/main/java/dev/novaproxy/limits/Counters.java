package dev.novaproxy.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The names of the usage counters and the windows they count in, in one place: the limits core
 * writes them, {@code keys usage} and {@code keys list} read them. Every name ends with its window
 * (a UTC minute or day), so a counter is never reused once its window is over and a store's late
 * expiry (DynamoDB deletes expired items within days) changes nothing.
 *
 * <pre>
 * rpm#key:NAME#202611301205         requests in that minute (keys with an rpm limit)
 * requests#key:NAME#2026-11-30      requests that day (every key: usage, and "last used")
 * tokens#key:NAME#2026-11-30        tokens that day (every key: its limit, and usage)
 * rpm#ip:203.0.113.7#202611301205   anonymous requests from that address in that minute
 * tokens#ip:203.0.113.7#2026-11-30  anonymous tokens from that address that day
 * tokens#budget#2026-11-30          tokens that day for the whole deployment
 * </pre>
 *
 * A key's "last used" is the latest day whose {@code requests#key:NAME#DAY} counter is above zero:
 * usage needs no write beyond the reservation.
 *
 * <p>Static client tokens count as keys named {@code token:<first 8 hex of their hash>}. IPv6
 * addresses are counted per /64 ({@code ip:2001:db8:0:1::/64}): one host usually has a whole /64.
 */
public final class Counters {
  /**
   * How long the per-key day counters are kept after their day: they are the usage history that
   * {@code keys usage --days N} reads.
   */
  public static final Duration KEY_HISTORY = Duration.ofDays(90);

  /** How long the other counters outlive their window: only a little, they are only for limits. */
  static final Duration MINUTE_GRACE = Duration.ofMinutes(1);

  static final Duration DAY_GRACE = Duration.ofDays(1);

  private static final DateTimeFormatter MINUTE_LABEL =
      DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

  /** A counting window: a UTC minute or a UTC day. */
  public enum Window {
    MINUTE,
    DAY;

    /** When the window holding {@code now} ends (the next one begins). */
    public Instant end(Instant now) {
      return switch (this) {
        case MINUTE -> now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        case DAY -> now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
      };
    }

    /** Whole seconds until the window holding {@code now} ends, at least 1: a Retry-After. */
    public long secondsToReset(Instant now) {
      long millis = Duration.between(now, end(now)).toMillis();
      return Math.max(1, (millis + 999) / 1000);
    }

    String label(Instant now) {
      return switch (this) {
        case MINUTE -> MINUTE_LABEL.format(now);
        case DAY -> day(now).toString();
      };
    }
  }

  /** The UTC day of an instant, as the day counters name it. */
  public static LocalDate day(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC);
  }

  public static String keyRpm(String keyName, Instant now) {
    return "rpm#key:" + keyName + "#" + Window.MINUTE.label(now);
  }

  public static String keyRequests(String keyName, LocalDate day) {
    return "requests#key:" + keyName + "#" + day;
  }

  public static String keyTokens(String keyName, LocalDate day) {
    return "tokens#key:" + keyName + "#" + day;
  }

  public static String ipRpm(String ip, Instant now) {
    return "rpm#ip:" + ip + "#" + Window.MINUTE.label(now);
  }

  public static String ipTokens(String ip, LocalDate day) {
    return "tokens#ip:" + ip + "#" + day;
  }

  public static String budget(LocalDate day) {
    return "tokens#budget#" + day;
  }

  /** When a counter of the window holding {@code now} may go: a little after the window. */
  static Instant expiry(Window window, Instant now) {
    return window.end(now).plus(window == Window.MINUTE ? MINUTE_GRACE : DAY_GRACE);
  }

  /** When a per-key day counter may go: after the usage history it belongs to. */
  static Instant keyHistoryExpiry(Instant now) {
    return Window.DAY.end(now).plus(KEY_HISTORY);
  }

  private Counters() {}
}
