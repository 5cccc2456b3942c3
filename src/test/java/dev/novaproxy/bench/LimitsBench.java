package dev.novaproxy.bench;

import dev.novaproxy.limits.Caller;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.Limiter;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.limits.Reservation;
import dev.novaproxy.limits.StaticTokens;
import dev.novaproxy.testing.CountingStore;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Benchmark: what the limits check adds to a request with the local store. Prints figures; asserts
 * nothing. Run it after {@code mvn -o -q test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test} with
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.novaproxy.bench.LimitsBench [REQUESTS] [DIR]
 * </pre>
 *
 * <ul>
 *   <li>the limiter alone (identify a cached key, reserve against every kind of limit, settle);
 *   <li>whole requests through {@code serve}'s HTTP server to the loopback Nova, one connection,
 *       without limits and with a key that has an rpm and a daily limit under a daily budget,
 *       measured in alternating rounds;
 *   <li>the store calls each request made.
 * </ul>
 *
 * DIR is where the keys file goes (default: a temporary directory), to compare file systems.
 */
public final class LimitsBench {
  private static final String BODY =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":50}";

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    Path dir =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("novaproxy-limits-bench");
    Files.createDirectories(dir);
    System.out.println("keys file in " + dir + " (" + Files.getFileStore(dir).type() + ")");
    limiterAlone(dir.resolve("alone.json"), requests);
    throughServe("the local file", new LocalFileStore(dir.resolve("serve.json")), requests);
    throughServe("a store in memory (the limits' own cost)", new MemoryStore(), requests);
  }

  /** The same rules with no I/O at all: separates the store's cost from the limits' own. */
  private static final class MemoryStore implements LimitsStore {
    private final Map<String, ClientKey> keys = new java.util.HashMap<>();
    private final Map<String, Long> counters = new java.util.HashMap<>();

    @Override
    public synchronized java.util.Optional<ClientKey> findKey(String hashHex) {
      return java.util.Optional.ofNullable(keys.get(hashHex));
    }

    @Override
    public synchronized void createKey(ClientKey key) {
      keys.put(key.hashHex(), key);
    }

    @Override
    public synchronized java.util.List<ClientKey> listKeys() {
      return java.util.List.copyOf(keys.values());
    }

    @Override
    public synchronized boolean revokeKey(String name, Instant when) {
      return false;
    }

    @Override
    public synchronized java.util.OptionalInt reserve(java.util.List<Increment> increments) {
      for (int i = 0; i < increments.size(); i++) {
        Increment inc = increments.get(i);
        if (counters.getOrDefault(inc.counter(), 0L) + inc.amount() > inc.limit()) {
          return java.util.OptionalInt.of(i);
        }
      }
      settle(increments);
      return java.util.OptionalInt.empty();
    }

    @Override
    public synchronized void settle(java.util.List<Increment> increments) {
      increments.forEach(inc -> counters.merge(inc.counter(), inc.amount(), Long::sum));
    }

    @Override
    public synchronized long read(String counter) {
      return counters.getOrDefault(counter, 0L);
    }
  }

  private static ClientKey key(String secret) {
    return new ClientKey(
        "bench",
        ClientKey.hashOf(secret),
        1_000_000,
        Long.MAX_VALUE / 4,
        Set.of(),
        null,
        Instant.now(),
        null);
  }

  private static LimitsSettings limits() {
    return new LimitsSettings(null, true, 1_000_000, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
  }

  private static void limiterAlone(Path file, int requests) {
    String secret = ClientKey.newSecret();
    CountingStore store = new CountingStore(new LocalFileStore(file));
    store.createKey(key(secret));
    Limiter limiter = new Limiter(limits(), store, StaticTokens.none(), Clock.systemUTC());
    String header = "Bearer " + secret;
    for (int i = 0; i < requests; i++) {
      once(limiter, header);
    }
    store.reset();
    long[] nanos = new long[requests];
    for (int i = 0; i < requests; i++) {
      long start = System.nanoTime();
      once(limiter, header);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "limiter alone (identify + reserve + settle, local file): p50 %.3f ms, p99 %.3f ms;"
            + " store calls per request: %s%n",
        nanos[requests / 2] / 1e6, nanos[requests * 99 / 100] / 1e6, perRequest(store, requests));
  }

  private static void once(Limiter limiter, String header) {
    Caller caller = limiter.identify(header, "127.0.0.1", null);
    Reservation r = limiter.reserve(caller, 70);
    r.settle(15);
  }

  private static void throughServe(String what, LimitsStore inner, int requests) throws Exception {
    String secret = ClientKey.newSecret();
    CountingStore store = new CountingStore(inner);
    store.createKey(key(secret));
    try (RunningProxy plain = RunningProxy.start();
        RunningProxy limited =
            RunningProxy.withLimits(s -> s.withLimits(limits()), store, Clock.systemUTC())) {
      plain.nova.withoutRecording();
      limited.nova.withoutRecording();
      String[] auth = {"Authorization", "Bearer " + secret};
      for (int i = 0; i < requests; i++) {
        post(plain, new String[0]);
        post(limited, auth);
      }
      store.reset();
      int rounds = 4;
      long[] a = new long[requests * rounds / 2];
      long[] b = new long[requests * rounds / 2];
      int ai = 0;
      int bi = 0;
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < requests / 2; i++) {
          a[ai++] = post(plain, new String[0]);
        }
        for (int i = 0; i < requests / 2; i++) {
          b[bi++] = post(limited, auth);
        }
      }
      Arrays.sort(a);
      Arrays.sort(b);
      int n = a.length;
      System.out.printf(
          "through serve, 1 connection, %d requests each, limits in %s:%n"
              + "  without limits: p50 %.3f ms, p99 %.3f ms%n"
              + "  with a key (rpm, tokens/day) and a daily budget: p50 %.3f ms, p99 %.3f ms%n"
              + "  added: p50 %.3f ms, p99 %.3f ms; store calls per request: %s%n",
          n,
          what,
          a[n / 2] / 1e6,
          a[n * 99 / 100] / 1e6,
          b[n / 2] / 1e6,
          b[n * 99 / 100] / 1e6,
          (b[n / 2] - a[n / 2]) / 1e6,
          (b[n * 99 / 100] - a[n * 99 / 100]) / 1e6,
          perRequest(store, n));
    }
  }

  private static long post(RunningProxy proxy, String[] headers) {
    long start = System.nanoTime();
    HttpResponse<String> r = proxy.post("/chat", BODY, headers);
    long took = System.nanoTime() - start;
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the bench request failed: " + r.statusCode() + r.body());
    }
    return took;
  }

  private static String perRequest(CountingStore store, int requests) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, Long> e : store.calls().entrySet()) {
      s.append(s.isEmpty() ? "" : ", ")
          .append(e.getKey())
          .append(' ')
          .append(String.format("%.3f", e.getValue() / (double) requests));
    }
    return s.isEmpty() ? "none" : s.toString();
  }
}
