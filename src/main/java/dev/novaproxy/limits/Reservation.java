package dev.novaproxy.limits;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tokens reserved for one request before it went to Nova, to be settled once Nova has said what it
 * used: the difference goes to the same counters (the same day's, even after midnight) in one
 * unconditional write.
 */
public final class Reservation {
  private final LimitsStore store;
  private final List<LimitsStore.Increment> tokenCounters;
  private final long reserved;
  private final AtomicBoolean settled = new AtomicBoolean();

  Reservation(LimitsStore store, List<LimitsStore.Increment> tokenCounters, long reserved) {
    this.store = store;
    this.tokenCounters = List.copyOf(tokenCounters);
    this.reserved = reserved;
  }

  /** A reservation that counted nothing (a caller with no token counters). */
  static Reservation none() {
    return new Reservation(null, List.of(), 0);
  }

  public long reserved() {
    return reserved;
  }

  /**
   * Replaces the reservation with what was used: one write adding {@code usedTokens - reserved} to
   * each token counter, none when they are equal or this was settled already.
   *
   * @return whether a write was made
   * @throws LimitsStore.StoreUnavailable when the write failed; the reservation then stands
   */
  public boolean settle(long usedTokens) {
    long delta = usedTokens - reserved;
    if (tokenCounters.isEmpty() || delta == 0 || !settled.compareAndSet(false, true)) {
      return false;
    }
    store.settle(
        tokenCounters.stream()
            .map(i -> LimitsStore.Increment.always(i.counter(), delta, i.expiresAt()))
            .toList());
    return true;
  }
}
