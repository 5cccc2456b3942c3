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
   * 8,000 chats: each one holds two connections while it streams and no thread, so the default fits
   * in the 768 MB heap the launcher gives serve (see {@link #heapNeeded}) and 16,000 file
   * descriptors.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 8000;

  /**
   * The heap a streaming chat keeps, its pooled connection to Nova included. serve's live heap
   * mid-burst (jmap -histo:live, bench/serve-load's short requests) was 88 MB at 2,000 streams and
   * 13 MB at rest, 38 KB a chat; the rest is room for longer requests, which a chat keeps while it
   * streams.
   */
  static final long HEAP_PER_CHAT = 52 * 1024;

  static final long HEAP_AT_REST = 16L * 1024 * 1024;

  /**
   * The share of the heap the live chats may fill: the rest is where the collector works. Past it
   * G1 collects ever more often and pauses every stream for longer.
   */
  static final double LIVE_SHARE = 0.75;

  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

  public static final Capacity DEFAULT = new Capacity(DEFAULT_MAX_IN_FLIGHT, DEFAULT_WRITE_TIMEOUT);

  /** The heap to give serve for {@link #maxInFlight} chats to stream at once. */
  public long heapNeeded() {
    return (long) ((HEAP_AT_REST + maxInFlight * HEAP_PER_CHAT) / LIVE_SHARE);
  }

  public Capacity {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout must be positive");
    }
  }
}
