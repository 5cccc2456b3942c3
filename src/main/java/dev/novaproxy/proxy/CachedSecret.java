package dev.novaproxy.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The Nova key, fetched on first use (never at start-up, so a SnapStart snapshot holds no key),
 * kept for a TTL, refreshed when Nova rejects it, and kept while the source fails so that a Secrets
 * Manager outage does not become a proxy outage.
 *
 * <p>Requests never wait on the source while there is a key: when the TTL has passed, one refresh
 * starts on its own thread and every request, the one that started it included, goes on with the
 * cached key. Only without any key yet, or after Nova rejected the cached one, do requests wait for
 * the fetch, and never longer than the fetch timeout. One fetch runs at a time; the others join it.
 *
 * <p>The source is not asked again on every request when it fails (a short pause first) nor on
 * every 401 from Nova when the secret still holds the rejected key (a longer pause).
 */
public final class CachedSecret {
  /** Bounds a fetch: the Lambda's Secrets Manager client gives up after 5 s itself. */
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(6);

  /** After a failed first fetch: requests fail fast for this long instead of each trying. */
  private static final Duration PAUSE_WITHOUT_KEY = Duration.ofSeconds(2);

  /** After a failed refresh, with a good key in hand: no hurry. */
  private static final Duration PAUSE_WITH_KEY = Duration.ofSeconds(30);

  /**
   * After a fetch caused by Nova's 401: a secret that still holds the rejected key is not read
   * again on every request that Nova rejects.
   */
  static final Duration PAUSE_AFTER_REJECTION = Duration.ofSeconds(30);

  private final SecretSource source;
  private final Duration ttl;
  private final Clock clock;
  private final Consumer<String> warn;
  private final Duration fetchTimeout;

  // Guarded by this.
  private String value;
  private Instant fetchedAt;
  private CompletableFuture<String> inFlight; // the fetch itself
  private CompletableFuture<String> inFlightSettled; // done once its outcome is recorded here
  private Instant nextFetchAllowed = Instant.MIN;
  private Instant lastRejectionFetch;

  public CachedSecret(SecretSource source, Duration ttl, Clock clock, Consumer<String> warn) {
    this(source, ttl, clock, warn, DEFAULT_FETCH_TIMEOUT);
  }

  /**
   * @param fetchTimeout how long one fetch may take before it counts as failed
   */
  public CachedSecret(
      SecretSource source,
      Duration ttl,
      Clock clock,
      Consumer<String> warn,
      Duration fetchTimeout) {
    this.source = source;
    this.ttl = ttl;
    this.clock = clock;
    this.warn = warn;
    this.fetchTimeout = fetchTimeout;
  }

  /**
   * The key: the cached one while it is fresh, and also once it is stale while its refresh runs or
   * the source fails. Waits (at most the fetch timeout) only when there has never been a key.
   *
   * @throws ProxyException 502 {@code secret_unavailable} when there is no key to give
   */
  public String get() {
    CompletableFuture<String> fetch;
    synchronized (this) {
      Instant now = clock.instant();
      if (value != null && now.isBefore(fetchedAt.plus(ttl))) {
        return value;
      }
      fetch = fetchUnlessPaused(now);
      if (value != null) {
        return value; // stale, but good until Nova says otherwise; the refresh runs meanwhile
      }
    }
    if (fetch == null) {
      // Never had a key and the last try just failed: do not hit the source on every request.
      throw ProxyException.secretUnavailable();
    }
    String fresh = await(fetch);
    if (fresh == null) {
      throw ProxyException.secretUnavailable();
    }
    return fresh;
  }

  /**
   * Called when Nova answered 401 to {@code rejected}: fetches again, unless another request has
   * already replaced that value or such a fetch happened within the pause. Returns the key to retry
   * with, or null when there is no other.
   */
  public String refreshAfterRejection(String rejected) {
    CompletableFuture<String> fetch;
    synchronized (this) {
      if (value != null && !value.equals(rejected)) {
        return value;
      }
      Instant now = clock.instant();
      if (inFlight == null
          && lastRejectionFetch != null
          && now.isBefore(lastRejectionFetch.plus(PAUSE_AFTER_REJECTION))) {
        return null; // the secret was read moments ago and held this same rejected key
      }
      fetch = fetchUnlessPaused(now);
      if (fetch == null) {
        return null;
      }
      lastRejectionFetch = now;
    }
    String fresh = await(fetch);
    return fresh != null && !fresh.equals(rejected) ? fresh : null;
  }

  /** What fixes a key that Nova rejects: it depends on where the key comes from. */
  public String whenRejected() {
    return source.whenRejected();
  }

  /** Waits until the fetch in flight, if any, has settled (tests). */
  void awaitFetch() throws InterruptedException {
    CompletableFuture<String> settled;
    synchronized (this) {
      settled = inFlight == null ? null : inFlightSettled;
    }
    if (settled != null) {
      try {
        settled.get();
      } catch (ExecutionException e) {
        // settled either way
      }
    }
  }

  /**
   * The fetch in flight, or a new one, as a future that is done once its outcome is recorded; null
   * when the source failed too recently to ask again.
   */
  private CompletableFuture<String> fetchUnlessPaused(Instant now) {
    if (inFlight != null) {
      return inFlightSettled;
    }
    if (now.isBefore(nextFetchAllowed)) {
      return null;
    }
    CompletableFuture<String> fetch = new CompletableFuture<>();
    inFlight = fetch;
    // Its own thread: a source that never answers must not hold a request's thread, and the
    // timeout below interrupts it rather than leaving it to hang for ever.
    Thread worker =
        new Thread(
            () -> {
              try {
                fetch.complete(source.fetch());
              } catch (RuntimeException e) {
                fetch.completeExceptionally(e);
              }
            },
            "novaproxy-secret-fetch");
    worker.setDaemon(true);
    inFlightSettled =
        fetch
            .orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete(
                (fresh, failure) -> {
                  if (failure instanceof TimeoutException) {
                    worker.interrupt();
                  }
                  settle(fetch, fresh, failure);
                });
    worker.start();
    return inFlightSettled;
  }

  private synchronized void settle(
      CompletableFuture<String> fetch, String fresh, Throwable failure) {
    if (inFlight == fetch) {
      inFlight = null;
    }
    Instant now = clock.instant();
    if (failure == null && fresh != null && !fresh.isBlank()) {
      value = fresh.strip();
      fetchedAt = now;
      nextFetchAllowed = Instant.MIN;
      return;
    }
    String why =
        failure == null
            ? "the secret is empty"
            : failure instanceof TimeoutException
                ? "no answer within " + fetchTimeout.toMillis() + " ms"
                : describe(failure);
    // The detail (which may name the account, role and secret) goes to the operator's log, never
    // to the anonymous client.
    if (value == null) {
      nextFetchAllowed = now.plus(PAUSE_WITHOUT_KEY);
      warn.accept("Cannot read the Nova API key: " + why);
    } else {
      nextFetchAllowed = now.plus(PAUSE_WITH_KEY.compareTo(ttl) < 0 ? PAUSE_WITH_KEY : ttl);
      warn.accept("Cannot refresh the Nova API key (" + why + "); using the last good value.");
    }
  }

  /** The fetch's value once it settles (null when it failed); at most the fetch timeout. */
  private String await(CompletableFuture<String> fetch) {
    try {
      // A little beyond the timeout: the fetch itself fails at the timeout and is settled then.
      String fresh = fetch.get(fetchTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      return fresh == null || fresh.isBlank() ? null : fresh.strip();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return null;
    }
  }

  private static String describe(Throwable e) {
    // The source's own message never holds the key (SecretSource's contract); the class name helps.
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
