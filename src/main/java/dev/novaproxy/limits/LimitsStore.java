package dev.novaproxy.limits;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where client keys and usage counters live: a DynamoDB table for a deployment (and for {@code
 * serve --keys-table}), a local file for {@code serve} otherwise. The limits core talks only to
 * this interface, so the rules are the same whatever the store.
 *
 * <p>Counters are named by the limits core ({@link Counters} lists them: e.g. {@code
 * rpm#key:NAME#202611301205}, {@code requests#key:NAME#2026-11-30}, {@code
 * tokens#key:NAME#2026-11-30}, {@code tokens#ip:203.0.113.7#2026-11-30}, {@code
 * tokens#budget#2026-11-30}) and expire at the given time (DynamoDB TTL); a store keeps them as
 * numbers and never interprets the names. A counter's first expiry stays (DynamoDB: {@code SET
 * expiresAt = if_not_exists(expiresAt, :t)}). One {@code reserve} or {@code settle} names each
 * counter at most once (DynamoDB refuses two operations on one item in a transaction).
 *
 * <p>On the hot path the core calls {@link #findKey} at most once a minute per key (it caches),
 * then {@link #reserve} once per request and {@link #settle} at most once; nothing else.
 *
 * <p>Every method may throw {@link StoreUnavailable}; the proxy then fails closed (503) for the
 * limits it cannot check. Its message goes to the operator's log: it must never hold a key or a key
 * hash.
 *
 * <p>{@code dev.novaproxy.limits.LimitsStoreContract} (test sources) is the behaviour every store
 * must have; a store's test extends it.
 */
public interface LimitsStore {
  /**
   * One counter change: add {@code amount}; with a limit, only while the total stays within it (the
   * total after adding is at most {@code limit}).
   */
  record Increment(String counter, long amount, long limit, Instant expiresAt) {
    public static final long NO_LIMIT = Long.MAX_VALUE;

    public static Increment within(String counter, long amount, long limit, Instant expiresAt) {
      return new Increment(counter, amount, limit, expiresAt);
    }

    public static Increment always(String counter, long amount, Instant expiresAt) {
      return new Increment(counter, amount, NO_LIMIT, expiresAt);
    }
  }

  /** The key with this hash, revoked and expired ones included (the caller decides). */
  Optional<ClientKey> findKey(String hashHex);

  /**
   * Stores a new key.
   *
   * @throws IllegalArgumentException when a key of that name (or that hash) exists
   */
  void createKey(ClientKey key);

  /**
   * Every key, revoked ones included, in creation order: by {@code created} (keys made in the same
   * instant in any order among themselves).
   */
  List<ClientKey> listKeys();

  /**
   * Marks the key revoked; false when there is no key of that name. Revoking a revoked key keeps
   * the first revocation time and returns true.
   */
  boolean revokeKey(String name, Instant when);

  /**
   * Adds every increment, or none: all at once, atomically (DynamoDB: one TransactWriteItems with a
   * condition per limited counter). The hot path's first write.
   *
   * <p>Only a limit refuses: concurrent reservations on the same counters must each be decided (a
   * store whose transactions can conflict, as DynamoDB's do with {@code TransactionConflict},
   * retries them), so that a limit lets through exactly as much as it allows.
   *
   * @return empty when all were added; else the index of an increment that would have passed its
   *     limit (nothing was added)
   */
  OptionalInt reserve(List<Increment> increments);

  /**
   * Adds every increment unconditionally (amounts may be negative: returning an unused
   * reservation). The hot path's second write.
   */
  void settle(List<Increment> increments);

  /**
   * A counter's value, 0 when it does not exist or its expiry has passed (a store whose deletion of
   * expired items is late, as DynamoDB's is, compares the expiry itself).
   */
  long read(String counter);

  /** The store could not be reached or answered an error; the message says which and why. */
  final class StoreUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
