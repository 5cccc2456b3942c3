package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedSecretTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  @Test
  void should_fetch_once_per_ttl_under_concurrent_requests() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    SecretSource slow =
        () -> {
          fetches.incrementAndGet();
          sleep(50); // a Secrets Manager round trip, so the requests really overlap
          return "key-1";
        };
    CachedSecret secret = new CachedSecret(slow, Duration.ofMinutes(5), clock, warnings::add);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return secret.get();
                }));
      }
      go.countDown();
      for (Future<String> f : results) {
        assertThat(f.get()).isEqualTo("key-1");
      }
      assertThat(fetches).hasValue(1);

      clock.advance(Duration.ofMinutes(4));
      secret.get();
      assertThat(fetches).hasValue(1);
      clock.advance(Duration.ofMinutes(1));
      secret.get();
      assertThat(fetches).hasValue(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void should_not_fetch_before_first_use() {
    AtomicInteger fetches = new AtomicInteger();
    new CachedSecret(
        () -> {
          fetches.incrementAndGet();
          return "k";
        },
        Duration.ofMinutes(5),
        clock,
        warnings::add);
    assertThat(fetches).hasValue(0);
  }

  @Test
  void should_refresh_once_after_a_rejection_and_share_the_new_value() {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret =
        new CachedSecret(
            () -> fetches.incrementAndGet() == 1 ? "old" : "new",
            Duration.ofMinutes(5),
            clock,
            warnings::add);
    assertThat(secret.get()).isEqualTo("old");
    assertThat(secret.refreshAfterRejection("old")).isEqualTo("new");
    // A second request that was rejected with the old key gets the new one without another fetch.
    assertThat(secret.refreshAfterRejection("old")).isEqualTo("new");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void should_report_no_retry_when_the_refreshed_key_is_the_same() {
    CachedSecret secret =
        new CachedSecret(() -> "same", Duration.ofMinutes(5), clock, warnings::add);
    secret.get();
    assertThat(secret.refreshAfterRejection("same")).isNull();
  }

  @Test
  void should_keep_the_last_good_value_while_the_source_fails() {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret =
        new CachedSecret(
            () -> {
              if (fetches.incrementAndGet() > 1) {
                throw new SecretSource.SecretUnavailableException("Secrets Manager is down", null);
              }
              return "sk-good-1234";
            },
            Duration.ofMinutes(5),
            clock,
            warnings::add);
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    clock.advance(Duration.ofMinutes(6));
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("Secrets Manager is down")
        .doesNotContain("sk-good-1234");
    // Not hammered: the next try waits a little rather than happening on every request.
    secret.get();
    assertThat(fetches).hasValue(2);
    clock.advance(Duration.ofSeconds(31));
    secret.get();
    assertThat(fetches).hasValue(3);
  }

  @Test
  void should_fail_with_a_502_when_there_has_never_been_a_value_and_keep_the_detail_for_the_log() {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret =
        new CachedSecret(
            () -> {
              fetches.incrementAndGet();
              throw new SecretSource.SecretUnavailableException(
                  "User: arn:aws:sts::123456789012:assumed-role/x is not authorized", null);
            },
            Duration.ofMinutes(5),
            clock,
            warnings::add);
    assertThatThrownBy(secret::get)
        .isInstanceOfSatisfying(
            ProxyException.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.code()).isEqualTo("secret_unavailable");
              assertThat(e.getMessage()).doesNotContain("123456789012");
            });
    assertThat(warnings).singleElement().asString().contains("123456789012");
    // A burst of requests right after the failure does not each call Secrets Manager.
    assertThatThrownBy(secret::get).isInstanceOf(ProxyException.class);
    assertThat(fetches).hasValue(1);
    clock.advance(Duration.ofSeconds(3));
    assertThatThrownBy(secret::get).isInstanceOf(ProxyException.class);
    assertThat(fetches).hasValue(2);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
