package dev.novaproxy.limits.dynamo;

import dev.novaproxy.aws.AwsCallLog;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.testing.MotoServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import software.amazon.awssdk.regions.Region;

/**
 * Benchmark: what the limits cost a request on the hot path with the DynamoDB store, through the
 * function's own client (url-connection) against moto on loopback: the DynamoDB calls per request
 * and the time of the reserve and the settle, for the usual shapes of a request. Prints figures;
 * asserts nothing. Run with {@code bench/limits-dynamo [REQUESTS]}.
 *
 * <p>moto is not DynamoDB: its time is Python's, and its TransactWriteItems copies the whole table
 * first, so it grows with the table. The call counts are what the function makes on AWS too.
 */
public final class DynamoLimitsBench {
  private static final String TABLE = "bench-keys";

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    try (SerialMoto moto = SerialMoto.start()) {
      try (var aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()))) {
        new KeysTable(
                aws,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
            .apply(
                new KeysTable.Desired(TABLE, true, new ResourceNames("bench").tags()),
                Optional.empty(),
                PlanStep.create(KeysTable.RESOURCE, TABLE));
      }
      AwsCallLog calls = new AwsCallLog();
      var b =
          DynamoLimitsStore.functionClient()
              .endpointOverride(moto.endpoint())
              .region(Region.US_EAST_1);
      try (var client =
          b.overrideConfiguration(
                  b.overrideConfiguration().toBuilder().addExecutionInterceptor(calls).build())
              .build()) {
        var store = new DynamoLimitsStore(client, TABLE);
        String hash = "a".repeat(64);
        store.createKey(
            new ClientKey("bench", hash, 600_000, null, Set.of(), null, Instant.now(), null));
        Instant tomorrow = Instant.now().plus(Duration.ofDays(2));
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();

        System.out.printf(
            "DynamoDB limits store via moto (serial, loopback), %d requests each%n", requests);
        time(
            "key lookup (GetItem; the core caches it 60 s)",
            requests,
            calls,
            i -> store.findKey(hash),
            null);
        // A key with a rate and a daily budget, under a deployment budget: 3 counters, 2 settled.
        time(
            "key, rpm + tokens/day + budget",
            requests,
            calls,
            i ->
                store.reserve(
                    List.of(
                        Increment.within("rpm#key:bench#" + (i / 100), 1, 600_000, tomorrow),
                        Increment.within(
                            "tokens#key:bench#" + day, 1000, Long.MAX_VALUE - 1, tomorrow),
                        Increment.within(
                            "tokens#budget#" + day, 1000, Long.MAX_VALUE - 1, tomorrow))),
            i ->
                store.settle(
                    List.of(
                        Increment.always("tokens#key:bench#" + day, -600, tomorrow),
                        Increment.always("tokens#budget#" + day, -600, tomorrow))));
        // An anonymous caller under the deployment budget only: 1 counter.
        time(
            "anonymous, budget only",
            requests,
            calls,
            i ->
                store.reserve(
                    List.of(
                        Increment.within(
                            "tokens#budget#" + day, 1000, Long.MAX_VALUE - 1, tomorrow))),
            i -> store.settle(List.of(Increment.always("tokens#budget#" + day, -600, tomorrow))));
        long items = client.scan(r -> r.tableName(TABLE).select("COUNT")).count();
        System.out.printf("table items at the end: %d%n", items);
      }
    }
  }

  private static void time(
      String what, int requests, AwsCallLog calls, IntConsumer reserve, IntConsumer settle) {
    for (int i = 0; i < Math.min(100, requests); i++) { // warm-up
      reserve.accept(i);
      if (settle != null) {
        settle.accept(i);
      }
    }
    calls.clear();
    List<Double> r = new ArrayList<>();
    List<Double> s = new ArrayList<>();
    List<Double> both = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      long t0 = System.nanoTime();
      reserve.accept(i);
      long t1 = System.nanoTime();
      if (settle != null) {
        settle.accept(i);
      }
      long t2 = System.nanoTime();
      r.add((t1 - t0) / 1e6);
      s.add((t2 - t1) / 1e6);
      both.add((t2 - t0) / 1e6);
    }
    var ops = new java.util.TreeMap<String, Long>();
    calls.calls().forEach(c -> ops.merge(c.operation(), 1L, Long::sum));
    StringBuilder perRequest = new StringBuilder();
    ops.forEach((op, n) -> perRequest.append(String.format(" %s %.1f", op, n / (double) requests)));
    System.out.printf(
        "%-48s calls/request:%s | ms p50/p99: %s %.2f/%.2f%s, total %.2f/%.2f%n",
        what,
        perRequest,
        settle == null ? "lookup" : "reserve",
        pct(r, 50),
        pct(r, 99),
        settle == null ? "" : String.format(", settle %.2f/%.2f", pct(s, 50), pct(s, 99)),
        pct(both, 50),
        pct(both, 99));
  }

  private static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private DynamoLimitsBench() {}
}
