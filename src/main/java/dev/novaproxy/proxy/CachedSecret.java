package dev.novaproxy.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The Nova key, fetched on first use (never at start-up, so a SnapStart snapshot holds no key),
 * kept for a TTL, refreshed once when Nova rejects it, and kept while the source fails so that a
 * Secrets Manager outage does not become a proxy outage.
 *
 * <p>One fetch at a time: concurrent requests that find the value stale wait for the one fetch
 * rather than each calling Secrets Manager.
 */
public final class CachedSecret {
  private final SecretSource source;
  private final Duration ttl;
  private final Clock clock;
  private final Consumer<String> warn;

  private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

  private String value;
  private Instant fetchedAt;
  private Instant failedAt;

  public CachedSecret(SecretSource source, Duration ttl, Clock clock, Consumer<String> warn) {
    this.source = source;
    this.ttl = ttl;
    this.clock = clock;
    this.warn = warn;
  }

  /** The key, fetching it when there is none yet or the TTL has passed. */
  public synchronized String get() {
    if (value == null && failedAt != null && clock.instant().isBefore(failedAt.plus(RETRY_PAUSE))) {
      // Never had a key and the last try just failed: do not hit the source on every request.
      throw ProxyException.secretUnavailable();
    }
    if (value == null || !clock.instant().isBefore(fetchedAt.plus(ttl))) {
      fetch();
    }
    return value;
  }

  /**
   * Called when Nova answered 401 to {@code rejected}: fetches again, unless another request has
   * already replaced that value. Returns the key to retry with, or null when there is no other.
   */
  public synchronized String refreshAfterRejection(String rejected) {
    if (value != null && !value.equals(rejected)) {
      return value;
    }
    String before = value;
    fetch();
    return value != null && !value.equals(before) ? value : null;
  }

  private void fetch() {
    try {
      String fresh = source.fetch();
      if (fresh == null || fresh.isBlank()) {
        throw new SecretSource.SecretUnavailableException("the secret is empty", null);
      }
      value = fresh.strip();
      fetchedAt = clock.instant();
    } catch (RuntimeException e) {
      // The detail (which may name the account, role and secret) goes to the operator's log,
      // never to the anonymous client.
      if (value == null) {
        failedAt = clock.instant();
        warn.accept("Cannot read the Nova API key: " + describe(e));
        throw ProxyException.secretUnavailable();
      }
      // Keep serving with the last good key; try the source again after a short pause, not on
      // every request, so a Secrets Manager outage is not hammered.
      fetchedAt =
          clock.instant().minus(ttl).plus(Duration.ofSeconds(Math.min(30, ttl.toSeconds())));
      warn.accept(
          "Cannot refresh the Nova API key (" + describe(e) + "); using the last good value.");
    }
  }

  private static String describe(RuntimeException e) {
    // The source's own message never holds the key (SecretSource's contract); the class name helps.
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
