package dev.novaproxy.limits.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.testing.MotoServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * 50 callers reserve from one daily budget at the same moment, each through its own function client
 * (as 50 Lambda instances would): the budget is never exceeded, and exactly as many fit as would
 * one after another. Against {@link SerialMoto}: see there why not moto's threaded server.
 */
class DynamoBudgetConcurrencyTest {
  private static final String TABLE = "novaproxy-keys";
  private static final Instant TOMORROW = Instant.now().plus(Duration.ofDays(1));

  private static SerialMoto moto;

  @BeforeAll
  static void start() throws Exception {
    moto = SerialMoto.start();
    try (var aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()))) {
      var backoff =
          new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10));
      new KeysTable(aws, backoff)
          .apply(
              new KeysTable.Desired(TABLE, true, new ResourceNames("novaproxy").tags()),
              Optional.empty(),
              PlanStep.create(KeysTable.RESOURCE, TABLE));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    moto.close();
  }

  @Test
  void should_never_exceed_a_budget_under_50_concurrent_reserves() throws Exception {
    int callers = 50;
    long budget = 1000;
    long each = 30;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    CountDownLatch start = new CountDownLatch(1);
    List<DynamoDbClient> clients = new ArrayList<>();
    List<Future<OptionalInt>> results = new ArrayList<>();
    try {
      for (int i = 0; i < callers; i++) {
        // The function's client, with time for moto to answer 50 transactions one by one
        // (each copies the whole table first).
        DynamoDbClient client =
            DynamoLimitsStore.functionClient()
                .endpointOverride(moto.endpoint())
                .region(Region.US_EAST_1)
                .overrideConfiguration(
                    c ->
                        c.apiCallTimeout(Duration.ofSeconds(60))
                            .apiCallAttemptTimeout(Duration.ofSeconds(60)))
                .build();
        clients.add(client);
        var store = new DynamoLimitsStore(client, TABLE);
        String caller = "tokens#ip:198.51.100." + i + "#2026-11-30";
        Callable<OptionalInt> reserve =
            () -> {
              start.await();
              return store.reserve(
                  List.of(
                      Increment.within(caller, each, 10_000, TOMORROW),
                      Increment.within("tokens#budget#2026-11-30", each, budget, TOMORROW)));
            };
        results.add(pool.submit(reserve));
      }
      start.countDown();
      int granted = 0;
      for (Future<OptionalInt> f : results) {
        OptionalInt r = f.get();
        if (r.isEmpty()) {
          granted++;
        } else {
          assertThat(r).as("only the budget can refuse").hasValue(1);
        }
      }
      // In any order exactly floor(1000 / 30) = 33 fit, and the counter is their sum.
      var store = new DynamoLimitsStore(clients.get(0), TABLE);
      assertThat(granted).isEqualTo((int) (budget / each));
      assertThat(store.read("tokens#budget#2026-11-30")).isEqualTo(granted * each);
      long perCaller = 0;
      for (int i = 0; i < callers; i++) {
        perCaller += store.read("tokens#ip:198.51.100." + i + "#2026-11-30");
      }
      assertThat(perCaller).as("refused reserves added nothing").isEqualTo(granted * each);
    } finally {
      pool.shutdownNow();
      clients.forEach(DynamoDbClient::close);
    }
  }
}
