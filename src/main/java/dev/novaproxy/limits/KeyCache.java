package dev.novaproxy.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key lookups by hash, kept in this process for at most {@code ttl}: the store is read once a
 * minute per key, not per request, and a key revoked (or changed) in the store is seen within
 * {@code ttl}. Unknown hashes are remembered too, so a client retrying a wrong key does not read
 * the store each time; the map is bounded, and emptied when full, so random keys cannot fill
 * memory. Expiry is not cached: it is checked against the clock on every request.
 */
final class KeyCache {
  private record Entry(Optional<ClientKey> key, Instant fetched) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final LimitsStore store;
  private final Clock clock;
  private final Duration ttl;
  private final int maxEntries;

  KeyCache(LimitsStore store, Clock clock, Duration ttl, int maxEntries) {
    this.store = store;
    this.clock = clock;
    this.ttl = ttl;
    this.maxEntries = maxEntries;
  }

  /**
   * @throws LimitsStore.StoreUnavailable when the entry is missing or stale and the store fails
   */
  Optional<ClientKey> find(String hashHex) {
    Instant now = clock.instant();
    Entry cached = entries.get(hashHex);
    // A clock that went back counts as stale too.
    if (cached != null
        && !now.isBefore(cached.fetched())
        && now.isBefore(cached.fetched().plus(ttl))) {
      return cached.key();
    }
    Optional<ClientKey> key = store.findKey(hashHex);
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.put(hashHex, new Entry(key, now));
    return key;
  }
}
