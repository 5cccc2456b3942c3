package dev.novaproxy.limits.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.aws.AwsCallLog;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.limits.LimitsStore.StoreUnavailable;
import dev.novaproxy.testing.MotoServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The DynamoDB store against moto, through the function's own client (url-connection, bounded
 * calls). The first group of tests is the store contract every LimitsStore keeps (to move into the
 * shared contract test once it is merged); the second is what is particular to DynamoDB: the items
 * as stored, which calls the hot path makes, and what happens when DynamoDB cannot be reached.
 *
 * <p>moto evaluates conditions, ADD and TransactWriteItems with CancellationReasons as DynamoDB
 * does; it never reports a TransactionConflict ({@link DynamoConflictRetryTest} does) and never
 * expires items by TTL (so expiry is checked through {@link DynamoLimitsStore#read}). It runs as
 * {@link SerialMoto}, one request at a time: moto's threaded server does not isolate transactions.
 */
class DynamoLimitsStoreTest {
  private static final String TABLE = "novaproxy-keys";
  private static final Instant NOW = Instant.parse("2026-11-30T12:05:00Z");
  private static final Clock AT_NOW = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Instant TOMORROW = NOW.plus(1, ChronoUnit.DAYS);
  private static final Backoff FAST =
      new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10));

  private static SerialMoto moto;
  private AwsClients aws;
  private DynamoDbClient client;
  private final AwsCallLog calls = new AwsCallLog();
  private DynamoLimitsStore store;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = SerialMoto.start();
  }

  @AfterAll
  static void stopMoto() throws Exception {
    moto.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    moto.reset();
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()));
    var names = new ResourceNames("novaproxy");
    var want = new KeysTable.Desired(TABLE, true, names.tags());
    new KeysTable(aws, FAST).apply(want, Optional.empty(), PlanStep.create("keys-table", TABLE));
    client = functionClient(moto.endpoint());
    store = new DynamoLimitsStore(client, TABLE, AT_NOW);
  }

  @AfterEach
  void tearDown() {
    client.close();
    aws.close();
  }

  /** The function's client, pointed at {@code endpoint}, recording the operations it calls. */
  private DynamoDbClient functionClient(URI endpoint) {
    var b = DynamoLimitsStore.functionClient().endpointOverride(endpoint).region(Region.US_EAST_1);
    return b.overrideConfiguration(
            b.overrideConfiguration().toBuilder().addExecutionInterceptor(calls).build())
        .build();
  }

  private static ClientKey key(String name, String hash) {
    return new ClientKey(
        name,
        hash,
        60,
        10_000L,
        Set.of("nova-2-lite-v1", "nova-2-pro-v1"),
        Instant.parse("2100-01-01T00:00:00Z"),
        NOW,
        null);
  }

  private static String hash(char c) {
    return String.valueOf(c).repeat(64);
  }

  // ---- The store contract -------------------------------------------------------------------

  @Test
  void should_find_a_created_key_by_its_hash_with_every_field() {
    assertThat(store.findKey(hash('a'))).isEmpty();
    ClientKey alice = key("alice", hash('a'));
    store.createKey(alice);
    assertThat(store.findKey(hash('a'))).contains(alice);
    ClientKey bare = new ClientKey("bare", hash('b'), null, null, Set.of(), null, NOW, null);
    store.createKey(bare);
    assertThat(store.findKey(hash('b'))).contains(bare);
  }

  @Test
  void should_refuse_a_second_key_with_the_same_name_and_keep_the_first() {
    store.createKey(key("alice", hash('a')));
    assertThatThrownBy(() -> store.createKey(key("alice", hash('b'))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alice");
    assertThat(store.findKey(hash('b'))).isEmpty();
    assertThat(store.listKeys()).extracting(ClientKey::hashHex).containsExactly(hash('a'));
  }

  @Test
  void should_list_every_key_in_creation_order_revoked_ones_included() {
    store.createKey(
        new ClientKey("later", hash('c'), null, null, Set.of(), null, NOW.plusSeconds(5), null));
    store.createKey(key("first", hash('a')));
    store.createKey(
        new ClientKey("second", hash('b'), null, null, Set.of(), null, NOW.plusSeconds(1), null));
    store.revokeKey("second", NOW.plusSeconds(9));
    assertThat(store.listKeys())
        .extracting(ClientKey::name)
        .containsExactly("first", "second", "later");
    assertThat(store.listKeys().get(1).revoked()).isEqualTo(NOW.plusSeconds(9));
  }

  @Test
  void should_revoke_by_name_keep_the_first_revocation_and_say_when_there_is_no_such_key() {
    store.createKey(key("alice", hash('a')));
    assertThat(store.revokeKey("alice", NOW)).isTrue();
    assertThat(store.findKey(hash('a')).orElseThrow().revoked()).isEqualTo(NOW);
    assertThat(store.findKey(hash('a')).orElseThrow().usableAt(NOW)).isFalse();
    assertThat(store.revokeKey("alice", NOW.plusSeconds(60))).isTrue();
    assertThat(store.findKey(hash('a')).orElseThrow().revoked()).isEqualTo(NOW);
    assertThat(store.revokeKey("bob", NOW)).isFalse();
  }

  @Test
  void should_add_within_the_limit_up_to_it_exactly_and_refuse_past_it() {
    assertThat(store.reserve(List.of(Increment.within("tokens#budget", 600, 1000, TOMORROW))))
        .isEmpty();
    assertThat(store.reserve(List.of(Increment.within("tokens#budget", 400, 1000, TOMORROW))))
        .isEmpty();
    assertThat(store.read("tokens#budget")).isEqualTo(1000);
    assertThat(store.reserve(List.of(Increment.within("tokens#budget", 1, 1000, TOMORROW))))
        .hasValue(0);
    assertThat(store.read("tokens#budget")).isEqualTo(1000);
  }

  @Test
  void should_add_all_or_nothing_and_name_the_refused_increment() {
    store.reserve(List.of(Increment.within("rpm#key:alice", 2, 2, TOMORROW)));
    List<Increment> request =
        List.of(
            Increment.within("tokens#budget", 100, 1000, TOMORROW),
            Increment.always("tokens#key:alice", 100, TOMORROW),
            Increment.within("rpm#key:alice", 1, 2, TOMORROW),
            Increment.within("tokens#ip:203.0.113.7", 100, 1000, TOMORROW));
    assertThat(store.reserve(request)).hasValue(2);
    assertThat(store.read("tokens#budget")).isZero();
    assertThat(store.read("tokens#key:alice")).isZero();
    assertThat(store.read("rpm#key:alice")).isEqualTo(2);
    assertThat(store.read("tokens#ip:203.0.113.7")).isZero();

    // The first one refused, too.
    assertThat(
            store.reserve(
                List.of(
                    Increment.within("rpm#key:alice", 1, 2, TOMORROW),
                    Increment.within("tokens#budget", 100, 1000, TOMORROW))))
        .hasValue(0);
    assertThat(store.read("tokens#budget")).isZero();
  }

  @Test
  void should_refuse_a_first_amount_larger_than_the_whole_limit() {
    assertThat(
            store.reserve(
                List.of(
                    Increment.always("tokens#key:alice", 5000, TOMORROW),
                    Increment.within("tokens#budget", 5000, 1000, TOMORROW))))
        .hasValue(1);
    assertThat(store.read("tokens#budget")).isZero();
    assertThat(store.read("tokens#key:alice")).isZero();
  }

  @Test
  void should_never_refuse_an_increment_without_a_limit() {
    for (int i = 0; i < 3; i++) {
      assertThat(
              store.reserve(
                  List.of(Increment.always("tokens#key:alice", Long.MAX_VALUE / 4, TOMORROW))))
          .isEmpty();
    }
    assertThat(store.read("tokens#key:alice")).isEqualTo(3 * (Long.MAX_VALUE / 4));
  }

  @Test
  void should_settle_unconditionally_returning_what_was_not_used() {
    store.reserve(
        List.of(
            Increment.within("tokens#budget", 1000, 1000, TOMORROW),
            Increment.within("tokens#key:alice", 1000, 5000, TOMORROW)));
    // Nova used 250 of the 1000 reserved: 750 go back.
    store.settle(
        List.of(
            Increment.always("tokens#budget", -750, TOMORROW),
            Increment.always("tokens#key:alice", -750, TOMORROW)));
    assertThat(store.read("tokens#budget")).isEqualTo(250);
    assertThat(store.read("tokens#key:alice")).isEqualTo(250);
    // A stream that used more than reserved is counted in full, past the limit.
    store.settle(List.of(Increment.within("tokens#budget", 900, 1000, TOMORROW)));
    assertThat(store.read("tokens#budget")).isEqualTo(1150);
  }

  @Test
  void should_read_a_missing_or_expired_counter_as_zero() {
    assertThat(store.read("nothing")).isZero();
    store.reserve(List.of(Increment.always("rpm#key:alice#202611301204", 3, NOW)));
    store.reserve(List.of(Increment.always("rpm#key:alice#202611301205", 3, NOW.plusSeconds(60))));
    assertThat(store.read("rpm#key:alice#202611301204")).isZero();
    assertThat(store.read("rpm#key:alice#202611301205")).isEqualTo(3);
  }

  @Test
  void should_keep_a_counters_first_expiry() {
    Instant first = NOW.plus(Duration.ofMinutes(2));
    store.reserve(List.of(Increment.always("c", 1, first)));
    store.settle(List.of(Increment.always("c", 1, first.plus(Duration.ofDays(30)))));
    assertThat(item("ctr#c").get("expiresAt").n()).isEqualTo(Long.toString(first.getEpochSecond()));
    var later =
        new DynamoLimitsStore(client, TABLE, Clock.fixed(first.plusSeconds(1), ZoneOffset.UTC));
    assertThat(later.read("c")).isZero();
  }

  @Test
  void should_refuse_a_counter_named_twice_in_one_call() {
    var twice =
        List.of(
            Increment.always("tokens#budget", 1, TOMORROW),
            Increment.always("tokens#budget", 2, TOMORROW));
    assertThatThrownBy(() -> store.reserve(twice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokens#budget appears twice");
    assertThatThrownBy(() -> store.settle(twice)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.read("tokens#budget")).isZero();
  }

  /**
   * 50 callers reserve from one daily budget at the same moment, each through its own client (as 50
   * Lambda instances would): exactly as many fit as would one after another.
   */
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
        var store = new DynamoLimitsStore(client, TABLE, AT_NOW);
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
      var store = new DynamoLimitsStore(clients.get(0), TABLE, AT_NOW);
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

  // ---- DynamoDB in particular ---------------------------------------------------------------

  @Test
  void should_keep_only_the_hash_and_the_limits_of_a_key() {
    store.createKey(key("alice", hash('a')));
    var keyItem = item("key#" + hash('a'));
    assertThat(keyItem.keySet())
        .containsExactlyInAnyOrder(
            "pk", "name", "rpm", "tokensPerDay", "models", "expires", "created");
    assertThat(keyItem.get("models").ss()).containsExactly("nova-2-lite-v1", "nova-2-pro-v1");
    assertThat(keyItem.get("expires").s()).isEqualTo("2100-01-01T00:00:00Z");
    var nameItem = item("name#alice");
    assertThat(nameItem.keySet()).containsExactlyInAnyOrder("pk", "hash", "created");
    assertThat(nameItem.get("hash").s()).isEqualTo(hash('a'));
  }

  @Test
  void should_store_a_counter_with_its_ttl_and_last_change_in_epoch_seconds() {
    store.reserve(List.of(Increment.always("tokens#budget#2026-11-30", 7, TOMORROW)));
    var counter = item("ctr#tokens#budget#2026-11-30");
    assertThat(counter.keySet()).containsExactlyInAnyOrder("pk", "n", "expiresAt", "updated");
    assertThat(counter.get("n").n()).isEqualTo("7");
    assertThat(counter.get("expiresAt").n()).isEqualTo(Long.toString(TOMORROW.getEpochSecond()));
    assertThat(counter.get("updated").n()).isEqualTo(Long.toString(NOW.getEpochSecond()));
    assertThat(store.counters())
        .containsExactly(
            new DynamoLimitsStore.Counter("tokens#budget#2026-11-30", 7, TOMORROW, NOW));
  }

  @Test
  void should_make_one_write_per_reserve_and_per_settle_and_none_for_an_exact_settle() {
    var one = List.of(Increment.within("rpm#key:alice#202611301205", 1, 60, TOMORROW));
    var three =
        List.of(
            Increment.within("rpm#key:alice#202611301205", 1, 60, TOMORROW),
            Increment.within("tokens#key:alice#2026-11-30", 500, 10_000, TOMORROW),
            Increment.within("tokens#budget#2026-11-30", 500, 100_000, TOMORROW));
    calls.clear();
    store.reserve(one);
    store.reserve(three);
    store.settle(
        List.of(
            Increment.always("tokens#key:alice#2026-11-30", -200, TOMORROW),
            Increment.always("tokens#budget#2026-11-30", -200, TOMORROW)));
    store.settle(List.of(Increment.always("tokens#budget#2026-11-30", -100, TOMORROW)));
    store.settle(List.of(Increment.always("tokens#key:alice#2026-11-30", 0, TOMORROW)));
    assertThat(calls.calls())
        .extracting(AwsCallLog.Call::operation)
        .containsExactly("UpdateItem", "TransactWriteItems", "TransactWriteItems", "UpdateItem");
  }

  @Test
  void should_say_which_table_is_missing() {
    var other = new DynamoLimitsStore(client, "nope-keys");
    assertThatThrownBy(() -> other.findKey(hash('a')))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("DynamoDB table nope-keys does not exist");
    assertThatThrownBy(() -> other.reserve(List.of(Increment.always("tokens#budget", 1, TOMORROW))))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("nope-keys");
  }

  @Test
  void should_fail_with_a_clear_message_when_dynamodb_cannot_be_reached() throws Exception {
    int closed;
    try (var socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    try (DynamoDbClient nowhere = functionClient(URI.create("http://127.0.0.1:" + closed))) {
      var unreachable = new DynamoLimitsStore(nowhere, TABLE);
      for (Runnable call :
          List.<Runnable>of(
              () -> unreachable.findKey(hash('a')),
              () -> unreachable.reserve(List.of(Increment.always("tokens#budget", 1, TOMORROW))),
              () -> unreachable.settle(List.of(Increment.always("tokens#budget", 1, TOMORROW))),
              () -> unreachable.read("tokens#budget"))) {
        assertThatThrownBy(call::run)
            .isInstanceOf(StoreUnavailable.class)
            .hasMessageStartingWith("DynamoDB table novaproxy-keys: cannot ")
            .hasMessageContaining("Connection refused");
      }
    }
  }

  private Map<String, AttributeValue> item(String pk) {
    return aws.dynamodb()
        .getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))))
        .item();
  }
}
