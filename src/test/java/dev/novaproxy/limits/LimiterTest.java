package dev.novaproxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.testing.CountingStore;
import dev.novaproxy.testing.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules, against the real local store and a clock moved by hand: who is calling, each limit and
 * the code and Retry-After it answers with, the key cache window, settling, a failing store.
 */
class LimiterTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:05:30Z");
  private static final String ALICE = ClientKey.newSecret();
  private static final String IP = "203.0.113.7";

  @TempDir Path dir;
  private MovableClock clock;
  private CountingStore store;

  @BeforeEach
  void store() {
    clock = new MovableClock(T0);
    store = new CountingStore(new LocalFileStore(dir.resolve("keys.json"), clock));
  }

  private Limiter limiter(LimitsSettings settings) {
    return new Limiter(settings, store, StaticTokens.none(), clock);
  }

  private Limiter limiter() {
    return limiter(LimitsSettings.off());
  }

  private ClientKey create(String name, String secret, Integer rpm, Long perDay, String... models) {
    ClientKey k =
        new ClientKey(name, ClientKey.hashOf(secret), rpm, perDay, Set.of(models), null, T0, null);
    store.inner().createKey(k);
    return k;
  }

  private static AbstractThrowableAssert<?, ?> refused(
      Runnable call, int status, String code, Consumer<LimitRefusal> more) {
    return assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            LimitRefusal.class,
            r -> {
              assertThat(r.status()).as(r.getMessage()).isEqualTo(status);
              assertThat(r.code()).isEqualTo(code);
              more.accept(r);
            });
  }

  private static AbstractThrowableAssert<?, ?> refused(Runnable call, int status, String code) {
    return refused(call, status, code, r -> {});
  }

  @Test
  void should_know_a_caller_by_its_key_and_log_only_the_name() {
    create("alice", ALICE, null, null);
    Caller c = limiter().identify("Bearer " + ALICE, IP, null);
    assertThat(c.name()).isEqualTo("key:alice");
    assertThat(c.key().name()).isEqualTo("alice");
    assertThat(c.anonymous()).isFalse();
    assertThat(limiter().identify("bearer   " + ALICE + "  ", IP, "").name())
        .isEqualTo("key:alice");
  }

  @Test
  void should_refuse_unknown_malformed_revoked_and_expired_keys_with_401() {
    create("alice", ALICE, null, null);
    Limiter limiter = limiter();
    refused(
            () -> limiter.identify("Bearer " + ClientKey.newSecret(), IP, null),
            401,
            "invalid_client_key",
            r -> assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer"))
        .hasMessageContaining("not valid");
    refused(() -> limiter.identify("Bearer np_short", IP, null), 401, "invalid_client_key")
        .hasMessageContaining("malformed")
        .message()
        .doesNotContain("np_short");
    refused(
        () -> limiter.identify("Bearer np_" + "é".repeat(43), IP, null), 401, "invalid_client_key");

    String bob = ClientKey.newSecret();
    store
        .inner()
        .createKey(
            new ClientKey(
                "bob", ClientKey.hashOf(bob), null, null, Set.of(), T0.plusSeconds(5), T0, null));
    assertThat(limiter.identify("Bearer " + bob, IP, null).name()).isEqualTo("key:bob");
    clock.advance(Duration.ofSeconds(5));
    // Expiry is checked on every request, cached or not.
    refused(() -> limiter.identify("Bearer " + bob, IP, null), 401, "client_key_expired");

    String carol = ClientKey.newSecret();
    store
        .inner()
        .createKey(
            new ClientKey("carol", ClientKey.hashOf(carol), null, null, Set.of(), null, T0, T0));
    refused(() -> limiter.identify("Bearer " + carol, IP, null), 401, "client_key_revoked")
        .hasMessageContaining("carol");
  }

  @Test
  void should_refuse_a_key_revoked_elsewhere_within_the_cache_window_and_read_once_a_minute() {
    create("alice", ALICE, null, null);
    Limiter limiter = limiter();
    limiter.identify("Bearer " + ALICE, IP, null);
    limiter.identify("Bearer " + ALICE, IP, null);
    assertThat(store.calls("findKey")).isEqualTo(1);

    store.inner().revokeKey("alice", clock.instant()); // keys revoke, from another process
    clock.advance(Duration.ofSeconds(59));
    assertThat(limiter.identify("Bearer " + ALICE, IP, null).name())
        .as("still cached: at most a minute")
        .isEqualTo("key:alice");
    clock.advance(Duration.ofSeconds(1));
    refused(() -> limiter.identify("Bearer " + ALICE, IP, null), 401, "client_key_revoked");
    assertThat(store.calls("findKey")).isEqualTo(2);
  }

  @Test
  void should_remember_an_unknown_key_too_so_retries_do_not_read_the_store() {
    Limiter limiter = limiter();
    String wrong = ClientKey.newSecret();
    for (int i = 0; i < 5; i++) {
      refused(() -> limiter.identify("Bearer " + wrong, IP, null), 401, "invalid_client_key");
    }
    assertThat(store.calls("findKey")).isEqualTo(1);
  }

  @Test
  void should_refuse_a_credential_in_the_query_string_with_400() {
    create("alice", ALICE, null, null);
    Limiter limiter = limiter();
    for (String q :
        new String[] {
          "key=" + ALICE,
          "api_key=anything",
          "x=1&Authorization=Bearer%20abc",
          "k=" + ALICE.replace("_", "%5F"),
          ALICE,
          "token=npc_abc"
        }) {
      refused(() -> limiter.identify("Bearer " + ALICE, IP, q), 400, "credential_in_query")
          .message()
          .doesNotContain(ALICE);
    }
    assertThat(limiter.identify("Bearer " + ALICE, IP, "stream=true&x=%zz").name())
        .isEqualTo("key:alice");
    assertThat(store.calls("findKey")).as("refused before any lookup").isEqualTo(1);
  }

  @Test
  void should_refuse_a_huge_authorization_header_before_hashing_it() {
    refused(
        () -> limiter().identify("Bearer np_" + "a".repeat(100_000), IP, null),
        431,
        "authorization_too_large");
    assertThat(store.calls()).isEmpty();
  }

  @Test
  void should_refuse_anonymous_callers_when_the_deployment_says_deny() {
    Limiter deny = limiter(new LimitsSettings(null, false, null, null, null));
    refused(() -> deny.identify(null, IP, null), 401, "client_key_required");
    refused(() -> deny.identify("Bearer sk-whatever", IP, null), 401, "client_key_required");
    create("alice", ALICE, null, null);
    assertThat(deny.identify("Bearer " + ALICE, IP, null).name()).isEqualTo("key:alice");
  }

  @Test
  void should_count_anonymous_callers_per_address_and_ipv6_per_64() {
    Limiter limiter = limiter();
    assertThat(limiter.identify(null, IP, null).name()).isEqualTo("ip:203.0.113.7");
    // An SDK's placeholder "API key" is not a credential when the proxy has no static tokens.
    assertThat(limiter.identify("Bearer sk-placeholder", IP, null).name())
        .isEqualTo("ip:203.0.113.7");
    assertThat(limiter.identify(null, "2001:db8:1:2:aaaa::1", null).ip())
        .isEqualTo(limiter.identify(null, "2001:0db8:0001:0002:ffff::9", null).ip())
        .isEqualTo("2001:db8:1:2::/64");
    assertThat(limiter.identify(null, "::ffff:198.51.100.4", null).ip()).isEqualTo("198.51.100.4");
    assertThat(limiter.identify(null, "fe80:0:0:0:1:2:3:4%eth0", null).ip())
        .isEqualTo("fe80:0:0:0::/64");
    assertThat(limiter.identify(null, "0:0:0:0:0:0:0:1", null).ip()).isEqualTo("0:0:0:0::/64");
    assertThat(limiter.identify(null, null, null).ip()).isEqualTo("unknown");
    assertThat(limiter.identify(null, "evil#name", null).ip()).isEqualTo("unknown");
  }

  @Test
  void should_accept_static_tokens_beside_keys_and_require_one_of_them() {
    StaticTokens tokens =
        new StaticTokens() {
          @Override
          public boolean configured() {
            return true;
          }

          @Override
          public Optional<String> nameOf(String token) {
            return token.equals("npc_good") ? Optional.of("token:1a2b3c4d") : Optional.empty();
          }
        };
    Limiter limiter = new Limiter(LimitsSettings.off(), store, tokens, clock);
    create("alice", ALICE, null, null);
    assertThat(limiter.identify("Bearer npc_good", IP, null).name())
        .isEqualTo("key:token:1a2b3c4d");
    assertThat(limiter.identify("Bearer " + ALICE, IP, null).name()).isEqualTo("key:alice");
    refused(() -> limiter.identify("Bearer npc_bad", IP, null), 401, "invalid_client_credential");
    refused(() -> limiter.identify(null, IP, null), 401, "invalid_client_credential");
    refused(() -> limiter.identify("Basic abc", IP, null), 401, "invalid_client_credential");
  }

  @Test
  void should_refuse_a_model_the_key_may_not_use_with_403() {
    create("alice", ALICE, null, null, "nova-2-lite-v1");
    Limiter limiter = limiter();
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    limiter.checkModel(alice, "nova-2-lite-v1");
    refused(() -> limiter.checkModel(alice, "nova-2-pro-v1"), 403, "model_not_allowed_for_key")
        .hasMessageContaining("nova-2-lite-v1");
    limiter.checkModel(limiter.identify(null, IP, null), "nova-2-pro-v1");
  }

  @Test
  void should_refuse_a_key_over_its_rpm_until_the_next_minute() {
    create("alice", ALICE, 3, null);
    Limiter limiter = limiter();
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    for (int i = 0; i < 3; i++) {
      limiter.reserve(alice, 10);
    }
    refused(
            () -> limiter.reserve(alice, 10),
            429,
            "key_rate_limited",
            r -> assertThat(r.headers()).containsEntry("Retry-After", "30")) // 12:05:30
        .hasMessageContaining("3 requests per minute");
    clock.advance(Duration.ofSeconds(30));
    limiter.reserve(alice, 10);
    assertThat(store.inner().read("requests#key:alice#2026-11-30")).isEqualTo(4);
  }

  @Test
  void should_refuse_a_key_past_its_tokens_for_the_day_until_midnight_utc() {
    create("alice", ALICE, null, 1000L);
    Limiter limiter = limiter();
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    limiter.reserve(alice, 600);
    Reservation second = limiter.reserve(alice, 400);
    refused(
        () -> limiter.reserve(alice, 1),
        429,
        "key_daily_tokens_exhausted",
        r -> assertThat(r.headers()).containsEntry("Retry-After", "42870")); // to 00:00 UTC
    second.settle(100); // used 100 of the 400: 300 back
    limiter.reserve(alice, 300);
    refused(() -> limiter.reserve(alice, 5000), 429, "key_daily_tokens_exhausted")
        .hasMessageContaining("lower max_tokens");
    clock.set(Instant.parse("2026-12-01T00:00:00Z"));
    limiter.reserve(alice, 1000);
  }

  @Test
  void should_limit_anonymous_callers_per_address() {
    Limiter limiter = limiter(new LimitsSettings(null, true, 2, 500L, null));
    Caller a = limiter.identify(null, IP, null);
    Caller b = limiter.identify(null, "198.51.100.9", null);
    limiter.reserve(a, 100);
    limiter.reserve(a, 100);
    refused(() -> limiter.reserve(a, 100), 429, "ip_rate_limited");
    limiter.reserve(b, 100);
    clock.advance(Duration.ofMinutes(1));
    refused(() -> limiter.reserve(a, 400), 429, "ip_daily_tokens_exhausted")
        .hasMessageContaining("without a client key");
    limiter.reserve(a, 300);
    assertThat(store.inner().read("tokens#ip:203.0.113.7#2026-11-30")).isEqualTo(500);
  }

  @Test
  void should_hold_every_caller_to_the_daily_budget() {
    create("alice", ALICE, null, null);
    Limiter limiter = limiter(new LimitsSettings(null, true, null, null, 1000L));
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    Caller anon = limiter.identify(null, IP, null);
    limiter.reserve(alice, 700);
    limiter.reserve(anon, 300);
    refused(() -> limiter.reserve(alice, 1), 429, "daily_budget_exhausted")
        .hasMessageContaining("midnight UTC");
    refused(() -> limiter.reserve(anon, 1), 429, "daily_budget_exhausted");
    assertThat(store.inner().read("tokens#budget#2026-11-30")).isEqualTo(1000);
    assertThat(store.inner().read("tokens#key:alice#2026-11-30")).isEqualTo(700);
  }

  @Test
  void should_settle_the_difference_in_one_write_and_none_when_there_is_none() {
    create("alice", ALICE, 100, 10_000L);
    Limiter limiter = limiter(new LimitsSettings(null, true, null, null, 50_000L));
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    Reservation r = limiter.reserve(alice, 500);
    assertThat(store.calls("reserve")).isEqualTo(1);
    assertThat(r.settle(120)).isTrue();
    assertThat(r.settle(50)).as("settled once only").isFalse();
    assertThat(store.calls("settle")).isEqualTo(1);
    assertThat(store.inner().read("tokens#key:alice#2026-11-30")).isEqualTo(120);
    assertThat(store.inner().read("tokens#budget#2026-11-30")).isEqualTo(120);
    assertThat(store.inner().read("requests#key:alice#2026-11-30")).isEqualTo(1);
    assertThat(store.inner().read("rpm#key:alice#202611301205")).isEqualTo(1);
    assertThat(limiter.reserve(alice, 77).settle(77)).isFalse();
    assertThat(store.calls("settle")).isEqualTo(1);
  }

  @Test
  void should_settle_into_the_day_it_reserved_from_after_midnight() {
    create("alice", ALICE, null, 1000L);
    Limiter limiter = limiter();
    clock.set(Instant.parse("2026-11-30T23:59:59Z"));
    Reservation r = limiter.reserve(limiter.identify("Bearer " + ALICE, IP, null), 500);
    clock.set(Instant.parse("2026-12-01T00:00:01Z"));
    r.settle(200);
    assertThat(store.inner().read("tokens#key:alice#2026-11-30")).isEqualTo(200);
    assertThat(store.inner().read("tokens#key:alice#2026-12-01")).isZero();
  }

  @Test
  void should_write_nothing_for_an_anonymous_caller_with_no_limits() {
    Limiter limiter = limiter();
    Reservation r = limiter.reserve(limiter.identify(null, IP, null), 500);
    assertThat(r.settle(10)).isFalse();
    assertThat(store.calls()).isEmpty();
  }

  @Test
  void should_fail_closed_with_503_when_the_store_fails() {
    create("alice", ALICE, null, null);
    Limiter limiter = limiter(new LimitsSettings(null, true, null, null, 1000L));
    Caller alice = limiter.identify("Bearer " + ALICE, IP, null);
    store.down(true);
    refused(
            () -> limiter.reserve(alice, 10),
            503,
            "limits_unavailable",
            r -> {
              assertThat(r.storeFailure()).isNotNull();
              assertThat(r.headers()).containsKey("Retry-After");
            })
        .message()
        .doesNotContain("connection refused");
    // A key still in the cache needs no store; a new one does, and fails closed.
    assertThat(limiter.identify("Bearer " + ALICE, IP, null).name()).isEqualTo("key:alice");
    refused(
        () -> limiter.identify("Bearer " + ClientKey.newSecret(), IP, null),
        503,
        "limits_unavailable");
    // The budget is not checked without the store, so nothing passes (documented).
    refused(() -> limiter.reserve(limiter.identify(null, IP, null), 1), 503, "limits_unavailable");
  }

  @Test
  void should_name_counters_as_documented() {
    Instant t = Instant.parse("2026-11-30T12:05:59.999Z");
    assertThat(Counters.keyRpm("alice", t)).isEqualTo("rpm#key:alice#202611301205");
    assertThat(Counters.keyTokens("alice", Counters.day(t)))
        .isEqualTo("tokens#key:alice#2026-11-30");
    assertThat(Counters.keyRequests("alice", Counters.day(t)))
        .isEqualTo("requests#key:alice#2026-11-30");
    assertThat(Counters.ipRpm("203.0.113.7", t)).isEqualTo("rpm#ip:203.0.113.7#202611301205");
    assertThat(Counters.ipTokens("203.0.113.7", Counters.day(t)))
        .isEqualTo("tokens#ip:203.0.113.7#2026-11-30");
    assertThat(Counters.budget(Counters.day(t))).isEqualTo("tokens#budget#2026-11-30");
    assertThat(Counters.Window.MINUTE.secondsToReset(t)).isEqualTo(1);
    assertThat(Counters.Window.DAY.secondsToReset(Instant.parse("2026-11-30T23:59:59.5Z")))
        .isEqualTo(1);
  }

  @Test
  void should_keep_counters_a_little_past_their_window_and_key_days_for_the_usage_history() {
    create("alice", ALICE, 5, 1000L);
    Limiter limiter = limiter(new LimitsSettings(null, true, null, null, 5000L));
    limiter.reserve(limiter.identify("Bearer " + ALICE, IP, null), 10);
    clock.set(Instant.parse("2026-11-30T12:07:00Z"));
    assertThat(store.inner().read("rpm#key:alice#202611301205")).isZero();
    clock.set(Instant.parse("2026-12-01T23:59:00Z"));
    assertThat(store.inner().read("tokens#budget#2026-11-30")).isEqualTo(10);
    clock.set(Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(store.inner().read("tokens#budget#2026-11-30")).isZero();
    clock.set(Instant.parse("2027-02-27T00:00:00Z")); // 89 days after the day ended
    assertThat(store.inner().read("tokens#key:alice#2026-11-30")).isEqualTo(10);
    assertThat(store.inner().read("requests#key:alice#2026-11-30")).isEqualTo(1);
  }

  @Test
  void should_validate_key_names_and_secrets() {
    assertThat(ClientKey.newSecret()).matches("np_[A-Za-z0-9_-]{43}");
    assertThat(ClientKey.isWellFormed(ClientKey.newSecret())).isTrue();
    assertThat(ClientKey.isWellFormed("np_short")).isFalse();
    assertThat(ClientKey.isValidName("ci-bot.2")).isTrue();
    assertThat(ClientKey.isValidName("a#b")).isFalse();
    assertThat(ClientKey.isValidName("token:1")).isFalse();
    assertThatThrownBy(
            () -> new ClientKey("a:b", ClientKey.hashOf("x"), null, null, null, null, T0, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
