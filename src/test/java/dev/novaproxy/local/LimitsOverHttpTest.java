package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.CountingStore;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.MovableClock;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client keys and limits through {@code serve}'s real HTTP server, in front of the loopback Nova,
 * counted in the real local store: each refusal's status, code and Retry-After, that a refused
 * request never reaches Nova, tokens counted from Nova's usage (whole answers and streams), the
 * budget under concurrent requests, revocation within the cache window, a failing store, and logs
 * without keys.
 */
class LimitsOverHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-30T12:05:30Z");
  private static final String DAY = "2026-11-30";
  private static final String HELLO =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":50}";
  private static final String ALICE = ClientKey.newSecret();

  @TempDir Path dir;
  private MovableClock clock;
  private CountingStore store;
  private RunningProxy proxy;

  @BeforeEach
  void store() {
    clock = new MovableClock(T0);
    store = new CountingStore(new LocalFileStore(dir.resolve("keys.json"), clock));
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private RunningProxy start(LimitsSettings limits) {
    return start(s -> s.withLimits(limits));
  }

  private RunningProxy start(UnaryOperator<ProxySettings> tweak) {
    proxy = RunningProxy.withLimits(tweak, store, clock);
    return proxy;
  }

  private void key(String name, String secret, Integer rpm, Long perDay, String... models) {
    store
        .inner()
        .createKey(
            new ClientKey(
                name, ClientKey.hashOf(secret), rpm, perDay, Set.of(models), null, T0, null));
  }

  private HttpResponse<String> chat(String secret, String body) {
    return secret == null
        ? proxy.post("/chat", body)
        : proxy.post("/chat", body, "Authorization", "Bearer " + secret);
  }

  private static JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.has("type") && error.has("param")).isTrue();
    return error;
  }

  private long counter(String name) {
    return store.inner().read(name);
  }

  @Test
  void should_answer_429_with_retry_after_to_a_key_over_its_rpm_without_calling_nova()
      throws Exception {
    key("alice", ALICE, 2, null);
    start(LimitsSettings.off());
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    HttpResponse<String> third = chat(ALICE, HELLO);
    JsonNode e = error(third, 429, "key_rate_limited");
    assertThat(e.path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(e.path("message").asText()).contains("alice").contains("2 requests per minute");
    assertThat(third.headers().firstValue("retry-after")).contains("30"); // 12:05:30 -> 12:06
    assertThat(proxy.nova.chatRequests()).hasSize(2);

    clock.advance(Duration.ofSeconds(30));
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    assertThat(counter("requests#key:alice#" + DAY)).isEqualTo(3);
  }

  @Test
  void should_count_a_keys_tokens_from_novas_usage_and_refuse_it_past_its_day() throws Exception {
    key("alice", ALICE, null, 100L);
    start(LimitsSettings.off());
    for (int i = 0; i < 3; i++) {
      assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    }
    // FakeNova reports 15 tokens per whole answer; the reservations were settled to that.
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(45);
    // The next one reserves 50 + the prompt estimate: over the 55 left.
    HttpResponse<String> refused = chat(ALICE, HELLO);
    error(refused, 429, "key_daily_tokens_exhausted");
    assertThat(refused.headers().firstValue("retry-after")).contains("42870"); // to midnight UTC
    assertThat(proxy.nova.chatRequests()).hasSize(3);
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(45);
    String small = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":5}";
    assertThat(chat(ALICE, small).statusCode()).isEqualTo(200);
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(60);
  }

  @Test
  void should_count_stream_usage_and_hide_the_usage_chunk_the_client_did_not_ask_for()
      throws Exception {
    key("alice", ALICE, null, 10_000L);
    start(LimitsSettings.off());
    String body =
        "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    HttpResponse<String> r = chat(ALICE, body);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"echo:\"").endsWith("data: [DONE]\n\n").doesNotContain("usage");
    JsonNode sent = proxy.nova.chatRequests().get(0).json();
    assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(sent.path("max_tokens").asInt())
        .as("a key with a token limit gets an output limit")
        .isEqualTo(4096);
    // FakeNova's stream usage: 10 prompt tokens + one per delta ("echo:", " Hello", " there").
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(13);
    assertThat(proxy.logLines).anySatisfy(l -> assertThat(l).contains("\"total_tokens\":13"));
  }

  @Test
  void should_relay_the_usage_chunk_when_the_client_asked_for_it() throws Exception {
    key("alice", ALICE, null, null);
    start(LimitsSettings.off());
    String body =
        "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    HttpResponse<String> r = chat(ALICE, body);
    assertThat(r.body()).contains("\"usage\":{\"prompt_tokens\":10").endsWith("data: [DONE]\n\n");
    assertThat(proxy.nova.chatRequests().get(0).json().has("max_tokens"))
        .as("no token limit applies to this key: the request is left as sent")
        .isFalse();
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(12);
  }

  @Test
  void should_keep_the_reservation_of_a_stream_that_breaks() throws Exception {
    key("alice", ALICE, null, 10_000L);
    start(LimitsSettings.off());
    proxy.nova.enqueue(Reply.truncatedStream("Half", " an"));
    String body =
        "{\"stream\":true,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    HttpResponse<String> r = chat(ALICE, body);
    assertThat(r.body()).contains("stream_truncated");
    long reserved = 100 + (body.getBytes(StandardCharsets.UTF_8).length + 3) / 4;
    assertThat(counter("tokens#key:alice#" + DAY)).isEqualTo(reserved);
    assertThat(store.calls("settle")).isZero();
  }

  @Test
  void should_return_the_reservation_when_nova_answers_an_error() throws Exception {
    key("alice", ALICE, null, 10_000L);
    start(LimitsSettings.off());
    proxy.nova.enqueue(
        Reply.json(400, "{\"error\":{\"message\":\"context too long\",\"type\":\"x\"}}"),
        Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(400);
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(502);
    assertThat(counter("tokens#key:alice#" + DAY)).isZero();
    assertThat(counter("requests#key:alice#" + DAY)).isEqualTo(2);
  }

  @Test
  void should_never_pass_the_daily_budget_by_more_than_one_request_under_50_concurrent_requests()
      throws Exception {
    long budget = 1000;
    int maxTokens = 50;
    start(new LimitsSettings(null, true, null, null, budget));
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < 50; i++) {
      proxy.nova.enqueue(Reply.held(gate, Reply.echo()));
    }
    long reservation = maxTokens + (HELLO.getBytes(StandardCharsets.UTF_8).length + 3) / 4;
    int fit = (int) (budget / reservation);
    CountDownLatch refused = new CountDownLatch(50 - fit);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(
          proxy
              .client()
              .sendAsync(
                  HttpRequest.newBuilder(proxy.url("/chat"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (r, t) -> {
                    if (r != null && r.statusCode() == 429) {
                      refused.countDown();
                    }
                  }));
    }
    // While Nova holds every admitted request, exactly what fits the budget got through.
    proxy.nova.awaitChatRequests(fit, Duration.ofSeconds(30));
    assertThat(refused.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(proxy.nova.chatRequests()).hasSize(fit);
    assertThat(counter("tokens#budget#" + DAY)).isLessThanOrEqualTo(budget);
    gate.countDown();
    int ok = 0;
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        error(r, 429, "daily_budget_exhausted");
        assertThat(r.headers().firstValue("retry-after")).contains("42870");
      }
    }
    assertThat(ok).isEqualTo(fit);
    long reportedByNova = 15L * ok;
    assertThat(counter("tokens#budget#" + DAY)).isEqualTo(reportedByNova);
    assertThat(reportedByNova).isLessThanOrEqualTo(budget + maxTokens);
  }

  @Test
  void should_refuse_a_revoked_key_once_the_cache_window_has_passed() throws Exception {
    key("alice", ALICE, null, null);
    start(LimitsSettings.off());
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    new LocalFileStore(dir.resolve("keys.json"), clock).revokeKey("alice", clock.instant());
    clock.advance(Duration.ofSeconds(59));
    assertThat(chat(ALICE, HELLO).statusCode()).as("cached for up to a minute").isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
    error(chat(ALICE, HELLO), 401, "client_key_revoked");
    assertThat(proxy.nova.chatRequests()).hasSize(2);
  }

  @Test
  void should_fail_closed_with_503_when_the_store_fails_and_say_why_in_the_log() throws Exception {
    key("alice", ALICE, null, null);
    start(new LimitsSettings(null, true, null, null, 100_000L));
    store.down(true);
    HttpResponse<String> keyed = chat(ALICE, HELLO);
    error(keyed, 503, "limits_unavailable");
    assertThat(keyed.headers().firstValue("retry-after")).isPresent();
    error(chat(null, HELLO), 503, "limits_unavailable"); // the budget cannot be checked either
    assertThat(proxy.nova.requests()).isEmpty();
    assertThat(proxy.logLines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"level\":\"warn\"")
                    .contains("limits store is unavailable")
                    .contains("connection refused"));
    store.down(false);
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
  }

  @Test
  void should_answer_every_bad_credential_with_a_clear_4xx_that_never_reaches_nova()
      throws Exception {
    key("alice", ALICE, null, null);
    start(new LimitsSettings(null, false, null, null, null));
    error(chat(ClientKey.newSecret(), HELLO), 401, "invalid_client_key");
    error(chat("np_not-a-key", HELLO), 401, "invalid_client_key");
    error(chat(null, HELLO), 401, "client_key_required");
    HttpResponse<String> inQuery =
        proxy.post("/chat?api_key=" + ALICE, HELLO, "Authorization", "Bearer " + ALICE);
    error(inQuery, 400, "credential_in_query");
    error(proxy.post("/v1/chat/completions?key=" + ALICE, HELLO), 400, "credential_in_query");
    HttpResponse<String> huge =
        proxy.post("/chat", HELLO, "Authorization", "Bearer np_" + "a".repeat(64 * 1024));
    error(huge, 431, "authorization_too_large");
    HttpResponse<String> unauthorized = chat(ClientKey.newSecret(), HELLO);
    assertThat(unauthorized.headers().firstValue("www-authenticate")).contains("Bearer");
    error(proxy.get("/v1/models"), 401, "client_key_required");
    assertThat(proxy.nova.requests()).isEmpty();

    assertThat(proxy.get("/v1/models", "Authorization", "Bearer " + ALICE).statusCode())
        .isEqualTo(200);
    assertThat(proxy.get("/health").statusCode()).isEqualTo(200);
    assertThat(counter("requests#key:alice#" + DAY)).as("models are not counted").isZero();
  }

  @Test
  void should_refuse_a_model_the_key_may_not_use() throws Exception {
    key("alice", ALICE, null, null, "nova-2-lite-v1");
    start(LimitsSettings.off());
    String pro =
        "{\"model\":\"nova-2-pro-v1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    JsonNode e = error(chat(ALICE, pro), 403, "model_not_allowed_for_key");
    assertThat(e.path("param").asText()).isEqualTo("model");
    assertThat(chat(ALICE, HELLO).statusCode()).as("the default model is allowed").isEqualTo(200);
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_limit_anonymous_callers_by_their_address() throws Exception {
    start(new LimitsSettings(null, true, 2, null, null));
    assertThat(chat(null, HELLO).statusCode()).isEqualTo(200);
    assertThat(chat(null, HELLO).statusCode()).isEqualTo(200);
    HttpResponse<String> third = chat(null, HELLO);
    error(third, 429, "ip_rate_limited");
    assertThat(third.headers().firstValue("retry-after")).contains("30");
    assertThat(counter("rpm#ip:127.0.0.1#202611301205")).isEqualTo(2);
    assertThat(proxy.logLines)
        .anySatisfy(l -> assertThat(l).contains("\"client\":\"ip:127.0.0.1\""));
  }

  @Test
  void should_accept_static_client_tokens_beside_keys() throws Exception {
    String token = "npc_static-token-for-an-older-app";
    String hash = ClientAuth.sha256Hex(token);
    key("alice", ALICE, null, null);
    start(
        s ->
            s.withClientAuth(ClientAuth.ofSha256(List.of(hash)))
                .withLimits(new LimitsSettings(null, true, null, null, 1000L)));
    assertThat(chat(token, HELLO).statusCode()).isEqualTo(200);
    assertThat(chat(ALICE, HELLO).statusCode()).isEqualTo(200);
    error(chat(null, HELLO), 401, "invalid_client_credential");
    error(chat("npc_wrong", HELLO), 401, "invalid_client_credential");
    String tokenName = "token:" + hash.substring(0, 8);
    assertThat(counter("requests#key:" + tokenName + "#" + DAY)).isEqualTo(1);
    assertThat(counter("tokens#budget#" + DAY)).isEqualTo(30);
    assertThat(proxy.logLines)
        .anySatisfy(l -> assertThat(l).contains("\"client\":\"key:" + tokenName + "\""));
  }

  @Test
  void should_keep_keys_and_their_hashes_out_of_every_log_line() throws Exception {
    String bob = ClientKey.newSecret();
    key("alice", ALICE, 1, 100_000L);
    key("bob", bob, null, null);
    start(new LimitsSettings(null, true, null, null, 100_000L));
    chat(ALICE, HELLO);
    chat(ALICE, HELLO); // 429
    chat(ALICE, "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    store.inner().revokeKey("bob", T0);
    chat(bob, HELLO);
    proxy.post("/chat?key=" + bob, HELLO);
    chat(ClientKey.newSecret(), HELLO);
    store.down(true);
    chat(ALICE + "x", HELLO);
    assertThat(proxy.logLines).isNotEmpty();
    for (String secret : List.of(ALICE, bob)) {
      String hash = ClientKey.hashOf(secret);
      assertThat(proxy.logLines)
          .allSatisfy(
              l ->
                  assertThat(l)
                      .doesNotContain(secret)
                      .doesNotContain(secret.substring(3, 20))
                      .doesNotContain(hash)
                      .doesNotContain(hash.substring(0, 16)));
    }
    assertThat(proxy.logLines).anySatisfy(l -> assertThat(l).contains("\"client\":\"key:alice\""));
  }
}
