package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
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

  /**
   * A secret store whose answers the test holds back: while the gate is closed every fetch blocks
   * (as Secrets Manager does when it is slow or unreachable) until the test opens it.
   */
  static final class GatedSource implements SecretSource {
    private final Supplier<String> answer;
    private final AtomicInteger calls = new AtomicInteger();
    private final Semaphore entered = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);

    GatedSource(Supplier<String> answer) {
      this.answer = answer;
    }

    @Override
    public String fetch() {
      calls.incrementAndGet();
      entered.release();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SecretUnavailableException("interrupted while waiting for the store", e);
      }
      return answer.get();
    }

    void close() {
      gate = new CountDownLatch(1);
    }

    void open() {
      gate.countDown();
    }

    /** Waits until a fetch has begun (and is blocked, when the gate is closed). */
    void awaitEntered() throws InterruptedException {
      assertThat(entered.tryAcquire(10, TimeUnit.SECONDS)).as("a fetch began").isTrue();
    }

    int calls() {
      return calls.get();
    }
  }

  private final ManualClock clock = new ManualClock();
  private final BlockingQueue<String> warnings = new LinkedBlockingQueue<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private CachedSecret cached(SecretSource source) {
    return new CachedSecret(source, Duration.ofMinutes(5), clock, warnings::add);
  }

  private CachedSecret cached(SecretSource source, Duration fetchTimeout) {
    return new CachedSecret(source, Duration.ofMinutes(5), clock, warnings::add, fetchTimeout);
  }

  /** Runs {@code secret.get()} from {@code n} threads at once. */
  private List<Future<String>> concurrently(int n, CachedSecret secret)
      throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(n);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(
          pool.submit(
              () -> {
                ready.countDown();
                return secret.get();
              }));
    }
    ready.await();
    return results;
  }

  private static <T> T within10s(Future<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void should_fetch_once_when_many_requests_need_the_first_key() throws Exception {
    GatedSource source = new GatedSource(() -> "key-1");
    source.close();
    CachedSecret secret = cached(source);

    List<Future<String>> results = concurrently(16, secret);
    source.awaitEntered();
    source.open();

    for (Future<String> f : results) {
      assertThat(within10s(f)).isEqualTo("key-1");
    }
    assertThat(source.calls()).isEqualTo(1);
  }

  @Test
  void should_serve_the_cached_key_at_once_while_one_refresh_is_blocked() throws Exception {
    AtomicInteger version = new AtomicInteger(1);
    GatedSource source = new GatedSource(() -> "key-" + version.get());
    CachedSecret secret = cached(source);
    assertThat(secret.get()).isEqualTo("key-1");
    clock.advance(Duration.ofMinutes(4));
    assertThat(secret.get()).isEqualTo("key-1");
    assertThat(source.calls()).isEqualTo(1);

    source.close();
    version.set(2);
    clock.advance(Duration.ofMinutes(1)); // the TTL has passed: the next request starts a refresh
    assertThat(within10s(pool.submit(secret::get))).isEqualTo("key-1");
    source.awaitEntered();
    source.awaitEntered();
    // While that refresh is blocked, every request gets the cached key without waiting on it.
    for (Future<String> f : concurrently(16, secret)) {
      assertThat(within10s(f)).isEqualTo("key-1");
    }
    assertThat(source.calls()).isEqualTo(2);

    source.open();
    secret.awaitFetch();
    assertThat(secret.get()).isEqualTo("key-2");
    assertThat(source.calls()).isEqualTo(2);
  }

  @Test
  void should_bound_a_refresh_that_never_answers_and_keep_serving_the_cached_key()
      throws Exception {
    GatedSource source = new GatedSource(() -> "sk-good-1234");
    CachedSecret secret = cached(source, Duration.ofMillis(100));
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    source.awaitEntered();

    source.close(); // and never opened: a store that does not answer
    clock.advance(Duration.ofMinutes(6));
    assertThat(within10s(pool.submit(secret::get))).isEqualTo("sk-good-1234");
    source.awaitEntered();
    secret.awaitFetch();
    assertThat(warnings.poll(10, TimeUnit.SECONDS))
        .contains("no answer within 100 ms")
        .contains("last good value")
        .doesNotContain("sk-good-1234");

    // Not asked again on every request, but again after a pause.
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    assertThat(source.calls()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(31));
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    source.awaitEntered();
    assertThat(source.calls()).isEqualTo(3);
  }

  @Test
  void should_fail_clearly_after_the_timeout_when_there_is_no_key_and_the_store_is_silent()
      throws Exception {
    GatedSource source = new GatedSource(() -> "never");
    source.close();
    CachedSecret secret = cached(source, Duration.ofMillis(100));

    Future<String> first = pool.submit(secret::get);
    assertThatThrownBy(() -> within10s(first))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            ProxyException.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.code()).isEqualTo("secret_unavailable");
            });
    assertThat(warnings.poll(10, TimeUnit.SECONDS))
        .isEqualTo("Cannot read the Nova API key: no answer within 100 ms");
    // A burst right after fails at once rather than each waiting for the store.
    assertThatThrownBy(secret::get).isInstanceOf(ProxyException.class);
    assertThat(source.calls()).isEqualTo(1);
  }

  @Test
  void should_not_fetch_again_for_another_rejection_within_the_pause() throws Exception {
    GatedSource source = new GatedSource(() -> "sk-rejected");
    CachedSecret secret = cached(source);
    assertThat(secret.get()).isEqualTo("sk-rejected");

    // Nova says 401; the secret still holds the same key, so there is nothing to retry with.
    assertThat(secret.refreshAfterRejection("sk-rejected")).isNull();
    assertThat(source.calls()).isEqualTo(2);
    // The next requests are rejected too: no fetch for each of them.
    assertThat(secret.refreshAfterRejection("sk-rejected")).isNull();
    assertThat(secret.refreshAfterRejection("sk-rejected")).isNull();
    assertThat(source.calls()).isEqualTo(2);

    clock.advance(CachedSecret.PAUSE_AFTER_REJECTION.plusSeconds(1));
    assertThat(secret.refreshAfterRejection("sk-rejected")).isNull();
    assertThat(source.calls()).isEqualTo(3);
  }

  @Test
  void should_not_fetch_before_first_use() {
    GatedSource source = new GatedSource(() -> "k");
    cached(source);
    assertThat(source.calls()).isZero();
  }

  @Test
  void should_refresh_once_after_a_rejection_and_share_the_new_value() {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret = cached(() -> fetches.incrementAndGet() == 1 ? "old" : "new");
    assertThat(secret.get()).isEqualTo("old");
    assertThat(secret.refreshAfterRejection("old")).isEqualTo("new");
    // A second request that was rejected with the old key gets the new one without another fetch.
    assertThat(secret.refreshAfterRejection("old")).isEqualTo("new");
    assertThat(secret.get()).isEqualTo("new");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void should_keep_the_last_good_value_while_the_source_fails() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret =
        cached(
            () -> {
              if (fetches.incrementAndGet() > 1) {
                throw new SecretSource.SecretUnavailableException("Secrets Manager is down", null);
              }
              return "sk-good-1234";
            });
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    clock.advance(Duration.ofMinutes(6));
    assertThat(secret.get()).isEqualTo("sk-good-1234");
    secret.awaitFetch();
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
    secret.awaitFetch();
    assertThat(fetches).hasValue(3);
  }

  @Test
  void should_fail_with_a_502_when_there_has_never_been_a_value_and_keep_the_detail_for_the_log()
      throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    CachedSecret secret =
        cached(
            () -> {
              fetches.incrementAndGet();
              throw new SecretSource.SecretUnavailableException(
                  "User: arn:aws:sts::123456789012:assumed-role/x is not authorized", null);
            });
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

  @Test
  void should_treat_an_empty_secret_as_no_key() {
    CachedSecret secret = cached(() -> "  ");
    assertThatThrownBy(secret::get).isInstanceOf(ProxyException.class);
    assertThat(warnings).singleElement().asString().contains("the secret is empty");
  }
}
