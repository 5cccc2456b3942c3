package dev.novaproxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.testing.MovableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LimitsStore} must do, whatever holds the data: a store's test extends this and
 * says how to make a fresh, empty store. The local file store runs it ({@code LocalFileStoreTest});
 * the DynamoDB store runs it against moto.
 *
 * <p>The clock given to {@link #newStore} is the one the store must use to decide whether a counter
 * has expired (for {@link LimitsStore#read}); tests move it forward.
 */
public abstract class LimitsStoreContract {
  protected static final Instant T0 = Instant.parse("2026-11-30T12:05:30Z");

  protected MovableClock clock;
  protected LimitsStore store;

  /** A fresh store with no keys and no counters, deciding expiry by {@code clock}. */
  protected abstract LimitsStore newStore(Clock clock) throws Exception;

  @BeforeEach
  void freshStore() throws Exception {
    clock = new MovableClock(T0);
    store = newStore(clock);
  }

  protected static ClientKey key(String name, String secret) {
    return key(name, secret, Instant.parse("2026-11-01T09:00:00Z"));
  }

  protected static ClientKey key(String name, String secret, Instant created) {
    return new ClientKey(
        name,
        ClientKey.hashOf(secret),
        60,
        100_000L,
        Set.of("nova-2-lite-v1", "nova-2-pro-v1"),
        Instant.parse("2100-01-01T00:00:00Z"),
        created,
        null);
  }

  private static Instant later() {
    return T0.plus(Duration.ofDays(2));
  }

  @Test
  void should_find_a_created_key_by_its_hash_with_every_field_as_stored() {
    ClientKey alice = key("alice", "np_alice-secret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    store.createKey(alice);
    assertThat(store.findKey(alice.hashHex())).contains(alice);
    assertThat(store.findKey(ClientKey.hashOf("np_someone-else"))).isEmpty();
  }

  @Test
  void should_keep_a_key_with_no_limits_no_models_and_no_expiry() {
    ClientKey plain =
        new ClientKey("plain", ClientKey.hashOf("np_p"), null, null, Set.of(), null, T0, null);
    store.createKey(plain);
    assertThat(store.findKey(plain.hashHex())).contains(plain);
  }

  @Test
  void should_refuse_a_second_key_with_the_same_name() {
    store.createKey(key("alice", "np_one"));
    assertThatThrownBy(() -> store.createKey(key("alice", "np_two")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alice");
    assertThat(store.listKeys()).hasSize(1);
  }

  @Test
  void should_list_keys_in_creation_order_revoked_ones_included() {
    store.createKey(key("b-first", "np_1", T0));
    store.createKey(key("a-second", "np_2", T0.plusMillis(1)));
    store.createKey(key("c-third", "np_3", T0.plusSeconds(1)));
    assertThat(store.revokeKey("a-second", T0)).isTrue();
    assertThat(store.listKeys())
        .extracting(ClientKey::name)
        .containsExactly("b-first", "a-second", "c-third");
  }

  @Test
  void should_revoke_a_key_once_and_say_when_there_is_none() {
    ClientKey alice = key("alice", "np_alice");
    store.createKey(alice);
    Instant first = T0.plusSeconds(10);
    assertThat(store.revokeKey("alice", first)).isTrue();
    assertThat(store.revokeKey("alice", first.plusSeconds(60))).isTrue();
    assertThat(store.findKey(alice.hashHex()).orElseThrow().revoked()).isEqualTo(first);
    assertThat(store.revokeKey("nobody", T0)).isFalse();
  }

  @Test
  void should_read_zero_for_a_counter_never_written() {
    assertThat(store.read("tokens#budget#2026-11-30")).isZero();
  }

  @Test
  void should_add_every_increment_when_all_fit() {
    OptionalInt refused =
        store.reserve(
            List.of(
                Increment.within("rpm#key:a#202611301205", 1, 5, later()),
                Increment.always("requests#key:a#2026-11-30", 1, later()),
                Increment.within("tokens#budget#2026-11-30", 700, 1000, later())));
    assertThat(refused).isEmpty();
    assertThat(store.read("rpm#key:a#202611301205")).isEqualTo(1);
    assertThat(store.read("requests#key:a#2026-11-30")).isEqualTo(1);
    assertThat(store.read("tokens#budget#2026-11-30")).isEqualTo(700);
  }

  @Test
  void should_allow_a_total_exactly_at_the_limit_and_refuse_one_past_it() {
    assertThat(store.reserve(List.of(Increment.within("c", 600, 1000, later())))).isEmpty();
    assertThat(store.reserve(List.of(Increment.within("c", 400, 1000, later())))).isEmpty();
    assertThat(store.read("c")).isEqualTo(1000);
    assertThat(store.reserve(List.of(Increment.within("c", 1, 1000, later())))).hasValue(0);
    assertThat(store.read("c")).isEqualTo(1000);
  }

  @Test
  void should_refuse_an_increment_larger_than_its_limit_on_a_new_counter() {
    assertThat(store.reserve(List.of(Increment.within("c", 1001, 1000, later())))).hasValue(0);
    assertThat(store.read("c")).isZero();
  }

  @Test
  void should_add_nothing_when_one_increment_would_pass_its_limit_and_name_that_one() {
    store.reserve(List.of(Increment.within("budget", 950, 1000, later())));
    OptionalInt refused =
        store.reserve(
            List.of(
                Increment.within("rpm", 1, 5, later()),
                Increment.always("requests", 1, later()),
                Increment.within("budget", 100, 1000, later())));
    assertThat(refused).hasValue(2);
    assertThat(store.read("rpm")).isZero();
    assertThat(store.read("requests")).isZero();
    assertThat(store.read("budget")).isEqualTo(950);
  }

  @Test
  void should_never_refuse_an_increment_without_a_limit() {
    for (int i = 0; i < 3; i++) {
      assertThat(store.reserve(List.of(Increment.always("c", Long.MAX_VALUE / 4, later()))))
          .isEmpty();
    }
    assertThat(store.read("c")).isEqualTo(3 * (Long.MAX_VALUE / 4));
  }

  @Test
  void should_settle_unconditionally_with_negative_and_positive_amounts() {
    store.reserve(
        List.of(
            Increment.within("tokens#key:a", 500, 600, later()),
            Increment.within("tokens#budget", 500, 600, later())));
    // Nova used 120 of the 500 reserved on one; 900 on the other: settle passes limits.
    store.settle(
        List.of(
            Increment.always("tokens#key:a", -380, later()),
            Increment.always("tokens#budget", 400, later())));
    assertThat(store.read("tokens#key:a")).isEqualTo(120);
    assertThat(store.read("tokens#budget")).isEqualTo(900);
  }

  @Test
  void should_create_a_counter_that_settle_names_first() {
    store.settle(List.of(Increment.always("fresh", 42, later())));
    assertThat(store.read("fresh")).isEqualTo(42);
  }

  @Test
  void should_read_zero_once_a_counter_has_expired() {
    Instant expiry = T0.plus(Duration.ofMinutes(2));
    store.reserve(List.of(Increment.within("rpm#key:a#202611301205", 3, 10, expiry)));
    clock.set(expiry.minusSeconds(1));
    assertThat(store.read("rpm#key:a#202611301205")).isEqualTo(3);
    clock.set(expiry.plusSeconds(1));
    assertThat(store.read("rpm#key:a#202611301205")).isZero();
  }

  @Test
  void should_keep_a_counters_first_expiry() {
    Instant first = T0.plus(Duration.ofMinutes(2));
    store.reserve(List.of(Increment.always("c", 1, first)));
    store.reserve(List.of(Increment.always("c", 1, first.plus(Duration.ofDays(30)))));
    clock.set(first.plusSeconds(1));
    assertThat(store.read("c")).isZero();
  }

  @Test
  void should_let_exactly_the_limit_through_when_many_reserve_at_once() throws Exception {
    int threads = 16;
    int attempts = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return store
                      .reserve(
                          List.of(
                              Increment.always("requests", 1, later()),
                              Increment.within("budget", 100, 2000, later())))
                      .isEmpty();
                }));
      }
      go.countDown();
      int admitted = 0;
      for (Future<Boolean> r : results) {
        admitted += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(20);
      assertThat(store.read("budget")).isEqualTo(2000);
      assertThat(store.read("requests")).isEqualTo(20);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void should_keep_counters_apart_from_keys() {
    ClientKey alice = key("alice", "np_alice");
    store.createKey(alice);
    store.reserve(List.of(Increment.always("requests#key:alice#2026-11-30", 1, later())));
    store.revokeKey("alice", T0);
    assertThat(store.read("requests#key:alice#2026-11-30")).isEqualTo(1);
    assertThat(store.listKeys()).hasSize(1);
  }
}
