package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.RunningProxy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy through real HTTP, in front of a real loopback upstream: routes, forwarding, faults.
 */
class ProxyOverHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
  private static final String HELLO_STREAM =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

  private RunningProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** The OpenAI error shape, with the code expected. */
  private static void assertError(HttpResponse<String> r, int status, String code)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonNode error = json(r).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.has("param")).isTrue();
  }

  @Test
  void should_forward_a_chat_request_with_the_key_and_return_novas_answer_unchanged()
      throws Exception {
    proxy = RunningProxy.start();
    HttpResponse<String> r = proxy.post("/chat", HELLO, "Authorization", "Bearer client-own-token");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("echo: Hello");
    var seen = proxy.nova.chatRequests();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).headers().get("authorization")).isEqualTo("Bearer " + RunningProxy.KEY);
    assertThat(seen.get(0).headers().get("accept-encoding")).isEqualTo("identity");
    assertThat(seen.get(0).json().path("model").asText()).isEqualTo(Policy.DEFAULT_MODEL);
  }

  @Test
  void should_serve_both_chat_paths_and_health_without_calling_nova() throws Exception {
    proxy = RunningProxy.start();
    assertThat(proxy.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);
    HttpResponse<String> health = proxy.get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(json(health).path("status").asText()).isEqualTo("ok");
    assertThat(json(health).has("version")).isTrue();
    assertThat(proxy.nova.requests()).hasSize(1);
  }

  @Test
  void should_answer_unknown_paths_with_404_and_wrong_methods_with_405() throws Exception {
    proxy = RunningProxy.start();
    assertError(proxy.get("/v2/whatever"), 404, "unknown_url");
    HttpResponse<String> r = proxy.get("/chat");
    assertError(r, 405, "method_not_allowed");
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
    assertError(proxy.post("/v1/models", "{}"), 405, "method_not_allowed");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_keep_a_well_formed_client_request_id_and_replace_a_bad_one() {
    proxy = RunningProxy.start();
    HttpResponse<String> kept = proxy.post("/chat", HELLO, "x-request-id", "trace-1234-abcd");
    assertThat(kept.headers().firstValue("x-request-id")).hasValue("trace-1234-abcd");
    assertThat(proxy.nova.chatRequests().get(0).headers().get("x-request-id"))
        .isEqualTo("trace-1234-abcd");

    HttpResponse<String> replaced =
        proxy.post("/chat", HELLO, "x-request-id", "bad id with spaces");
    assertThat(replaced.headers().firstValue("x-request-id"))
        .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
  }

  @Test
  void should_relay_each_event_as_it_arrives() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.stream(Duration.ofMillis(600), "one", " two", " three"));
    HttpRequest req =
        HttpRequest.newBuilder(proxy.url("/chat"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(HELLO_STREAM))
            .build();
    long start = System.nanoTime();
    HttpResponse<java.io.InputStream> r =
        proxy.client().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<String> data = new ArrayList<>();
    long firstEventNanos = -1;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("data:")) {
          if (firstEventNanos < 0) {
            firstEventNanos = System.nanoTime() - start;
          }
          data.add(line);
        }
      }
    }
    long totalNanos = System.nanoTime() - start;
    // The upstream spends 1.2 s between its first and last event; the first must not wait for it.
    assertThat(Duration.ofNanos(totalNanos - firstEventNanos))
        .isGreaterThan(Duration.ofMillis(900));
    assertThat(data.get(0)).contains("\"one\"");
    assertThat(data).last().isEqualTo("data: [DONE]");
  }

  @Test
  void should_end_a_truncated_stream_with_an_error_event() {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.truncatedStream("half", " an answer"));
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> proxy.post("/chat", HELLO_STREAM));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"half\"")
        .contains("\"stream_truncated\"")
        .doesNotContain("[DONE]");
  }

  @Test
  void should_end_a_stalled_stream_with_a_timeout_event_not_a_hang() {
    proxy = RunningProxy.start(s -> s.withTotalTimeout(Duration.ofSeconds(1)));
    proxy.nova.enqueue(Reply.stream(Duration.ofSeconds(5), "first", " never"));
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(4), () -> proxy.post("/chat", HELLO_STREAM));
    assertThat(r.body())
        .contains("\"first\"")
        .contains("\"stream_timeout\"")
        .doesNotContain("never");
  }

  @Test
  void should_relay_a_long_stream_to_its_end_as_long_as_nova_is_never_silent_for_the_timeout() {
    proxy = RunningProxy.start(s -> s.withTotalTimeout(Duration.ofSeconds(1)));
    proxy.nova.enqueue(Reply.stream(Duration.ofMillis(400), "a", "b", "c", "d", "e"));
    HttpResponse<String> r = proxy.post("/chat", HELLO_STREAM);
    assertThat(r.body()).contains("\"e\"").endsWith("data: [DONE]\n\n").doesNotContain("error");
  }

  @Test
  void should_answer_504_when_nova_is_slower_than_the_timeout() throws Exception {
    proxy = RunningProxy.start(s -> s.withTotalTimeout(Duration.ofSeconds(1)));
    proxy.nova.enqueue(Reply.slow(Duration.ofSeconds(4)));
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> proxy.post("/chat", HELLO));
    assertError(r, 504, "upstream_timeout");
  }

  @Test
  void should_answer_504_when_nova_stalls_in_the_middle_of_its_body() throws Exception {
    proxy = RunningProxy.start(s -> s.withTotalTimeout(Duration.ofSeconds(1)));
    proxy.nova.enqueue(Reply.stallMidBody(Duration.ofSeconds(5)));
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> proxy.post("/chat", HELLO));
    assertError(r, 504, "upstream_timeout");
  }

  @Test
  void should_answer_502_when_nova_breaks_off_in_the_middle_of_its_body() throws Exception {
    // Headers and half a body, then the connection closes: often the whole exchange is over
    // before the client's send returns, sometimes not; either way the proxy must say that the
    // body broke, not that Nova never answered.
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.stallMidBody(Duration.ZERO));
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> proxy.post("/chat", HELLO));
    assertError(r, 502, "bad_gateway");
    assertThat(r.body()).contains("broke while reading its answer");
  }

  @Test
  void should_wait_once_for_a_short_retry_after_and_then_succeed() {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(
        Reply.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "1"));
    HttpResponse<String> r = proxy.post("/chat", HELLO);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests()).hasSize(2);
    assertThat(proxy.logLines).anySatisfy(l -> assertThat(l).contains("\"upstream_attempts\":2"));
  }

  @Test
  void should_return_429_with_retry_after_when_nova_asks_for_a_long_wait() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"quota\"}}", "Retry-After", "30"));
    HttpResponse<String> r = proxy.post("/chat", HELLO);
    assertError(r, 429, "rate_limit_exceeded");
    assertThat(r.headers().firstValue("retry-after")).hasValue("30");
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_return_429_with_a_default_retry_after_when_nova_gives_none() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"quota\"}}"));
    HttpResponse<String> r = proxy.post("/chat", HELLO);
    assertError(r, 429, "rate_limit_exceeded");
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
  }

  @Test
  void should_turn_a_nova_server_error_into_502_naming_it() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.json(500, "{\"error\":{\"message\":\"model crashed\"}}"));
    HttpResponse<String> r = proxy.post("/chat", HELLO);
    assertError(r, 502, "bad_gateway");
    assertThat(json(r).path("error").path("message").asText())
        .contains("500")
        .contains("model crashed");
  }

  @Test
  void should_turn_a_connection_reset_into_502() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.reset());
    HttpResponse<String> r =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> proxy.post("/chat", HELLO));
    assertError(r, 502, "bad_gateway");
  }

  @Test
  void should_never_relay_a_non_json_answer() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(
        Reply.text(200, "<html>gateway page</html>"), Reply.text(503, "<html>down</html>"));
    HttpResponse<String> ok = proxy.post("/chat", HELLO);
    assertError(ok, 502, "bad_gateway");
    assertThat(ok.body()).doesNotContain("<html>").contains("not JSON");
    assertError(proxy.post("/chat", HELLO), 502, "bad_gateway");
  }

  @Test
  void should_pass_novas_own_client_errors_through_unchanged() {
    proxy = RunningProxy.start();
    String novaError =
        "{\"error\":{\"message\":\"context too long\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"context_length_exceeded\"}}";
    proxy.nova.enqueue(Reply.json(400, novaError));
    HttpResponse<String> r = proxy.post("/chat", HELLO);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(novaError);
  }

  @Test
  void should_answer_502_when_nova_cannot_be_reached() throws Exception {
    proxy = RunningProxy.start(s -> s.withUpstream(java.net.URI.create("http://127.0.0.1:9/v1")));
    assertError(proxy.post("/chat", HELLO), 502, "bad_gateway");
  }

  @Test
  void should_filter_the_model_list_by_the_allowed_models() throws Exception {
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of("nova-2-lite-v1", "nova-pro-v1"),
                        null,
                        List.of(),
                        Policy.Limits.defaults())));
    HttpResponse<String> r = proxy.get("/v1/models");
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(r).path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).containsExactlyInAnyOrder("nova-2-lite-v1", "nova-pro-v1");
  }

  @Test
  void should_refuse_a_model_outside_the_policy_without_calling_nova() throws Exception {
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of("nova-2-lite-v1"),
                        null,
                        List.of(),
                        Policy.Limits.defaults())));
    HttpResponse<String> r =
        proxy.post(
            "/chat",
            "{\"model\":\"nova-premier-v1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").path("param").asText()).isEqualTo("model");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_answer_cors_preflight_for_allowed_origins_and_refuse_others_before_nova()
      throws Exception {
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of(),
                        null,
                        List.of("https://app.example.com"),
                        Policy.Limits.defaults())));
    HttpResponse<String> pre =
        proxy.send(
            HttpRequest.newBuilder(proxy.url("/chat"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");
    assertThat(pre.headers().firstValue("access-control-allow-methods"))
        .hasValueSatisfying(m -> assertThat(m).contains("POST"));
    assertThat(pre.headers().firstValue("access-control-allow-headers"))
        .hasValueSatisfying(h -> assertThat(h).contains("content-type"));

    HttpResponse<String> allowed = proxy.post("/chat", HELLO, "Origin", "https://app.example.com");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");

    HttpResponse<String> other = proxy.post("/chat", HELLO, "Origin", "https://evil.example.net");
    assertError(other, 403, "origin_not_allowed");
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_vary_on_origin_in_every_answer_whose_cors_headers_depend_on_it() throws Exception {
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of(),
                        null,
                        List.of("https://app.example.com"),
                        Policy.Limits.defaults())));
    // A cache in front of the proxy must not give one origin's answer (or a no-origin answer
    // without CORS headers) to another origin: every answer says it varies on Origin.
    List<HttpResponse<String>> answers =
        List.of(
            proxy.get("/v1/models"),
            proxy.get("/health"),
            proxy.get("/v1/models", "Origin", "https://app.example.com"),
            proxy.get("/v1/models", "Origin", "https://evil.example.net"),
            proxy.post("/chat", HELLO),
            proxy.post("/chat", HELLO_STREAM, "Origin", "https://app.example.com"),
            proxy.post("/chat", "{}", "Origin", "https://app.example.com"),
            proxy.get("/nowhere"),
            proxy.send(
                HttpRequest.newBuilder(proxy.url("/chat"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example.com")
                    .build()));
    for (HttpResponse<String> r : answers) {
      assertThat(r.headers().allValues("vary"))
          .as(r.request().toString())
          .containsExactly("Origin");
    }
  }

  @Test
  void should_not_vary_on_origin_when_no_origin_or_any_origin_is_allowed() throws Exception {
    proxy = RunningProxy.start();
    assertThat(proxy.get("/v1/models").headers().firstValue("vary")).isEmpty();
    proxy.close();
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1", Set.of(), null, List.of("*"), Policy.Limits.defaults())));
    assertThat(proxy.get("/v1/models").headers().firstValue("vary")).isEmpty();
    HttpResponse<String> any = proxy.get("/v1/models", "Origin", "https://app.example.com");
    assertThat(any.headers().firstValue("access-control-allow-origin")).hasValue("*");
    assertThat(any.headers().firstValue("vary")).isEmpty();
  }

  @Test
  void should_require_a_valid_client_token_when_configured_before_calling_nova() throws Exception {
    String token = "npc_test-client-token";
    proxy =
        RunningProxy.start(
            s ->
                s.withClientAuth(
                    dev.novaproxy.proxy.ClientAuth.ofSha256(
                        List.of(dev.novaproxy.proxy.ClientAuth.sha256Hex(token)))));
    HttpResponse<String> none = proxy.post("/chat", HELLO);
    assertError(none, 401, "invalid_client_credential");
    assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
    assertError(
        proxy.post("/chat", HELLO, "Authorization", "Bearer wrong"),
        401,
        "invalid_client_credential");
    assertError(proxy.get("/v1/models"), 401, "invalid_client_credential");
    assertThat(proxy.nova.requests()).isEmpty();

    assertThat(proxy.get("/health").statusCode()).isEqualTo(200);
    HttpResponse<String> ok = proxy.post("/chat", HELLO, "Authorization", "Bearer " + token);
    assertThat(ok.statusCode()).isEqualTo(200);
    // The client's token is checked, never forwarded: Nova gets the proxy's key.
    assertThat(proxy.nova.chatRequests().get(0).headers().get("authorization"))
        .isEqualTo("Bearer " + RunningProxy.KEY);
    assertThat(proxy.get("/v1/models", "Authorization", "Bearer " + token).statusCode())
        .isEqualTo(200);
  }

  @Test
  void should_refuse_every_browser_origin_when_none_is_configured() throws Exception {
    proxy = RunningProxy.start();
    assertError(
        proxy.post("/chat", HELLO, "Origin", "https://app.example.com"), 403, "origin_not_allowed");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_write_one_log_line_per_request_with_usage_and_without_content() throws Exception {
    proxy = RunningProxy.start();
    proxy.post(
        "/chat",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"my private words\"}]}",
        "x-request-id",
        "log-test-0001");
    proxy.get("/health");
    assertThat(proxy.logLines).hasSize(2);
    JsonNode line = JSON.readTree(proxy.logLines.get(0));
    assertThat(line.path("request_id").asText()).isEqualTo("log-test-0001");
    assertThat(line.path("route").asText()).isEqualTo("chat");
    assertThat(line.path("model").asText()).isEqualTo(Policy.DEFAULT_MODEL);
    assertThat(line.path("status").asInt()).isEqualTo(200);
    assertThat(line.path("usage").path("total_tokens").asInt()).isEqualTo(15);
    assertThat(line.path("latency_ms").isNumber()).isTrue();
    assertThat(line.path("upstream_ms").isNumber()).isTrue();
    assertThat(proxy.logLines.get(0)).doesNotContain("private words");
  }

  @Test
  void should_log_content_only_when_asked() {
    proxy = RunningProxy.start(s -> s.withLogContent(true));
    proxy.post("/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"my private words\"}]}");
    assertThat(proxy.logLines.get(0))
        .contains("my private words")
        .contains("echo: my private words");
  }

  @Test
  void should_log_a_stream_once_it_has_ended_with_its_usage() throws Exception {
    proxy = RunningProxy.start();
    proxy.post(
        "/chat",
        "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    assertThat(proxy.logLines).hasSize(1);
    JsonNode line = JSON.readTree(proxy.logLines.get(0));
    assertThat(line.path("stream").asBoolean()).isTrue();
    assertThat(line.path("usage").path("total_tokens").asInt()).isPositive();
  }

  @Test
  void should_let_requests_in_flight_finish_on_shutdown() throws Exception {
    proxy = RunningProxy.start();
    proxy.nova.enqueue(Reply.slow(Duration.ofMillis(800)));
    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(() -> proxy.post("/chat", HELLO));
    while (proxy.server.inFlight() == 0) {
      Thread.sleep(10);
    }
    proxy.server.shutdown(Duration.ofSeconds(5));
    assertThat(slow.get().statusCode()).isEqualTo(200);
  }

  @Test
  void should_refuse_a_body_that_is_not_json_or_too_large_before_nova() throws Exception {
    proxy =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of(),
                        null,
                        List.of(),
                        new Policy.Limits(2048, 64, 2048))));
    assertError(
        proxy.post("/chat", HELLO, "Content-Type", "text/plain"), 415, "unsupported_media_type");
    String big = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}";
    assertError(proxy.post("/chat", big), 413, "request_too_large");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void client_token_hashes_round_trip_through_the_lambda_environment_and_bad_ones_are_refused() {
    String hash = dev.novaproxy.proxy.ClientAuth.sha256Hex("t");
    ProxySettings s =
        ProxySettings.defaults()
            .withClientAuth(dev.novaproxy.proxy.ClientAuth.ofSha256(List.of(hash.toUpperCase())));
    assertThat(s.toEnvironment()).containsEntry(ProxySettings.ENV_CLIENT_TOKEN_SHA256, hash);
    assertThat(ProxySettings.fromEnvironment(s.toEnvironment()).clientAuth().hexHashes())
        .containsExactly(hash);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> dev.novaproxy.proxy.ClientAuth.ofSha256(List.of("npc_not-a-hash")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 hex digits")
        .message()
        .doesNotContain("npc_not-a-hash");
  }

  @Test
  void settings_from_the_lambda_environment_round_trip() {
    ProxySettings s =
        ProxySettings.defaults()
            .withPolicy(
                new Policy(
                    "nova-pro-v1",
                    Set.of("nova-pro-v1", "nova-2-lite-v1"),
                    512,
                    List.of("https://a.example"),
                    Policy.Limits.defaults()));
    ProxySettings back = ProxySettings.fromEnvironment(s.toEnvironment());
    assertThat(back.policy()).isEqualTo(s.policy());
    assertThat(back.upstreamUrl()).isEqualTo(s.upstreamUrl());
  }
}
