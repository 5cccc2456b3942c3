package dev.novaproxy.local;

import java.time.Duration;

/**
 * How much {@code serve} takes on at once, and how long it waits for a client that does not read.
 *
 * @param maxInFlight chats answered at once; past it a new chat gets 503 with {@code Retry-After}
 *     at once (health and model list requests are not counted and always answered)
 * @param writeTimeout how long a write to a client may make no progress before the client is
 *     dropped (its Nova stream is then cancelled); also how long a connection may sit idle
 */
public record Capacity(int maxInFlight, Duration writeTimeout) {
  /**
   * 8,000 chats: each one holds two connections while it streams and no thread, about 0.15 MB in
   * all, so the default fits in about 1.5 GB (bench/serve-load) and 16,000 file descriptors.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 8000;

  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

  public static final Capacity DEFAULT = new Capacity(DEFAULT_MAX_IN_FLIGHT, DEFAULT_WRITE_TIMEOUT);

  public Capacity {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout must be positive");
    }
  }
}
