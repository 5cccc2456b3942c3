package dev.novaproxy.testing;

import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@link LimitsStore} with its calls counted by method (for the store-calls-per-request
 * figures and the cache tests), and a switch that makes it fail as an unreachable store would.
 */
public final class CountingStore implements LimitsStore {
  private final LimitsStore inner;
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private volatile boolean down;

  public CountingStore(LimitsStore inner) {
    this.inner = inner;
  }

  /** From now on every call fails with {@link StoreUnavailable} (true) or works again (false). */
  public void down(boolean down) {
    this.down = down;
  }

  public long calls(String method) {
    AtomicLong n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** Every count so far, by method name. */
  public Map<String, Long> calls() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public void reset() {
    calls.clear();
  }

  public LimitsStore inner() {
    return inner;
  }

  private void count(String method) {
    calls.computeIfAbsent(method, k -> new AtomicLong()).incrementAndGet();
    if (down) {
      throw new StoreUnavailable(
          "The limits store did not answer (connection refused, in a test).", null);
    }
  }

  @Override
  public Optional<ClientKey> findKey(String hashHex) {
    count("findKey");
    return inner.findKey(hashHex);
  }

  @Override
  public void createKey(ClientKey key) {
    count("createKey");
    inner.createKey(key);
  }

  @Override
  public List<ClientKey> listKeys() {
    count("listKeys");
    return inner.listKeys();
  }

  @Override
  public boolean revokeKey(String name, Instant when) {
    count("revokeKey");
    return inner.revokeKey(name, when);
  }

  @Override
  public OptionalInt reserve(List<Increment> increments) {
    count("reserve");
    return inner.reserve(increments);
  }

  @Override
  public void settle(List<Increment> increments) {
    count("settle");
    inner.settle(increments);
  }

  @Override
  public long read(String counter) {
    count("read");
    return inner.read(counter);
  }
}
