package dev.novaproxy.lambda;

import static dev.novaproxy.lambda.LoopUnderTest.KEY;
import static dev.novaproxy.lambda.LoopUnderTest.STREAM_BODY;
import static dev.novaproxy.lambda.LoopUnderTest.WHOLE_BODY;
import static dev.novaproxy.lambda.LoopUnderTest.apiEvent;
import static dev.novaproxy.lambda.LoopUnderTest.urlEvent;
import static dev.novaproxy.lambda.LoopUnderTest.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.FakeRuntimeApi;
import dev.novaproxy.testing.FakeRuntimeApi.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime loop as Lambda runs it, between the Runtime API stand-in and a loopback Nova: both
 * doors, the streaming protocol (prelude, chunks, trailers), errors before and after the first
 * byte, deadlines, size limits, SnapStart, init and invocation errors.
 */
class RuntimeLoopTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private FakeNova nova;
  private LoopUnderTest loop;

  @BeforeEach
  void startNova() {
    nova = FakeNova.start().requireKey(KEY);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      loop.close();
    }
    nova.close();
  }

  private FakeRuntimeApi start(Map<String, String> env) {
    loop = LoopUnderTest.start(nova, env);
    return loop.api;
  }

  private static void assertNoKey(Response r) {
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(KEY);
    assertThat(r.trailers().toString()).doesNotContain(KEY);
  }

  @Test
  void should_stream_the_first_event_to_the_runtime_api_before_nova_has_finished()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    CountDownLatch novaMayFinish = new CountDownLatch(1);
    nova.enqueue(Reply.streamHeld(novaMayFinish, "Stream", " me", " live"));
    String id = api.enqueue(urlEvent(STREAM_BODY), DEADLINE);

    // Nova is held after its first event: this chunk can only have come while it is unfinished.
    FakeRuntimeApi.Chunk first = api.awaitChunk(id, c -> c.contains("\"Stream\""), WAIT);
    assertThat(api.responded(id)).isFalse();
    novaMayFinish.countDown();
    Response r = api.awaitResponse(id, WAIT);

    assertThat(r.streamed()).isTrue();
    assertThat(r.headers())
        .containsEntry("transfer-encoding", "chunked")
        .containsEntry(
            "trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
        .containsEntry("content-type", "application/vnd.awslambda.http-integration-response");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.prelude().path("headers").path("content-type").asText())
        .startsWith("text/event-stream");
    assertThat(r.prelude().path("headers").has("x-request-id")).isTrue();
    assertThat(r.bodyText()).contains("\" me\"").endsWith("data: [DONE]\n\n");
    assertThat(r.trailers()).isEmpty();
    assertThat(first.nanos()).isLessThan(r.chunks().get(r.chunks().size() - 1).nanos());
    // One chunk per event after the prelude: the stream is not batched.
    assertThat(r.chunks().stream().filter(c -> c.text().startsWith("data: ")).count())
        .isEqualTo(4); // three deltas and [DONE]
    assertNoKey(r);
  }

  @Test
  void should_answer_an_http_api_event_with_the_same_buffered_json_as_the_managed_handler()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    Response r =
        api.awaitResponse(api.enqueue(LoopUnderTest.event("chat-post.json", null), DEADLINE), WAIT);

    assertThat(r.streamed()).isFalse();
    assertThat(r.headers()).doesNotContainKey("lambda-runtime-function-response-mode");
    LambdaHandler managed =
        new LambdaHandler(
            Map.of(ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString()), () -> KEY);
    APIGatewayV2HTTPResponse expected =
        managed.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/chat-post.json"), null);
    JsonNode got = r.json();
    assertThat(got.path("statusCode").asInt()).isEqualTo(expected.getStatusCode()).isEqualTo(200);
    assertThat(got.path("isBase64Encoded").asBoolean(true)).isFalse();
    Map<?, ?> headers = JSON.convertValue(got.path("headers"), Map.class);
    assertThat(headers.keySet()).isEqualTo(expected.getHeaders().keySet());
    assertThat(headers.get("content-type")).isEqualTo(expected.getHeaders().get("content-type"));
    assertThat(sameExceptIds(got.path("body").asText()))
        .isEqualTo(sameExceptIds(expected.getBody()));
    assertNoKey(r);
  }

  private static String sameExceptIds(String body) {
    return body.replaceAll("chatcmpl-[0-9]+", "chatcmpl-N").replaceAll("\"created\":[0-9]+", "");
  }

  @Test
  void should_collect_a_stream_whole_for_the_http_api() throws Exception {
    FakeRuntimeApi api = start(Map.of());
    nova.enqueue(Reply.stream(Duration.ofMillis(10), "Stream", " me", " whole"));
    Response r = api.awaitResponse(api.enqueue(apiEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(r.streamed()).isFalse();
    assertThat(r.json().path("headers").path("content-type").asText())
        .startsWith("text/event-stream");
    assertThat(r.json().path("body").asText()).contains("\" whole\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void should_end_a_stalled_stream_with_an_error_event_and_the_error_trailers() throws Exception {
    FakeRuntimeApi api = start(Map.of(ProxySettings.ENV_TIMEOUT_SECONDS, "1"));
    nova.enqueue(Reply.streamThenStall(Duration.ofSeconds(10), "Half", " an"));
    Response r = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText())
        .contains("\" an\"")
        .contains("\"code\":\"stream_timeout\"")
        .doesNotContain("data: [DONE]");
    assertThat(r.errorType()).isEqualTo("upstream_error.stream_timeout");
    assertThat(r.errorBody().path("errorType").asText()).isEqualTo("upstream_error.stream_timeout");
    assertThat(r.errorBody().path("errorMessage").asText()).contains("sent nothing for 1 s");
    assertNoKey(r);
  }

  @Test
  void should_end_a_reset_stream_with_an_error_event_and_the_error_trailers() throws Exception {
    FakeRuntimeApi api = start(Map.of());
    nova.enqueue(Reply.streamThenReset("Half", " an"));
    Response r = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);

    assertThat(r.bodyText())
        .contains("\"Half\"")
        .contains("\"code\":\"stream_truncated\"")
        .doesNotContain("data: [DONE]");
    assertThat(r.errorType()).isEqualTo("upstream_error.stream_truncated");
    assertThat(r.errorBody().path("errorMessage").asText()).contains("broke mid-stream");
  }

  @Test
  void should_relay_a_rate_limit_that_strikes_mid_stream_and_end_with_the_error_trailers()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    nova.enqueue(Reply.streamThenRateLimited("Half", " an"));
    Response r = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);

    assertThat(r.status()).isEqualTo(200); // the status was out before Nova's error came
    assertThat(r.bodyText())
        .contains("\" an\"")
        .contains("\"code\":\"rate_limit_exceeded\"")
        .contains("\"code\":\"stream_truncated\"")
        .doesNotContain("data: [DONE]");
    assertThat(r.errorType()).isEqualTo("upstream_error.stream_truncated");
  }

  @Test
  void should_answer_errors_before_the_first_byte_with_their_real_status_and_no_trailers()
      throws Exception {
    FakeRuntimeApi api =
        start(
            Map.of(ProxySettings.ENV_CLIENT_TOKEN_SHA256, ClientAuth.sha256Hex("client-token-1")));
    Response noToken = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(noToken.status()).isEqualTo(401);
    assertThat(noToken.prelude().path("headers").path("www-authenticate").asText())
        .isEqualTo("Bearer");
    assertThat(JSON.readTree(noToken.bodyText()).path("error").path("code").asText())
        .isEqualTo("invalid_client_credential");
    assertThat(noToken.trailers()).isEmpty();

    String authorised =
        withHeader(urlEvent("{\"stream\":true}"), "authorization", "Bearer client-token-1");
    Response invalid = api.awaitResponse(api.enqueue(authorised, DEADLINE), WAIT);
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.bodyText()).path("error").path("param").asText())
        .isEqualTo("messages");
    assertThat(nova.requests()).isEmpty();

    nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "30"));
    String chat = withHeader(urlEvent(STREAM_BODY), "authorization", "Bearer client-token-1");
    Response limited = api.awaitResponse(api.enqueue(chat, DEADLINE), WAIT);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.prelude().path("headers").path("retry-after").asText()).isEqualTo("30");
    assertThat(JSON.readTree(limited.bodyText()).path("error").path("code").asText())
        .isEqualTo("rate_limit_exceeded");
    assertThat(limited.trailers()).isEmpty();
  }

  @Test
  void should_apply_the_origin_policy_at_the_url_door_but_leave_cors_headers_to_the_url()
      throws Exception {
    FakeRuntimeApi api =
        start(Map.of(ProxySettings.ENV_ALLOWED_ORIGINS, "https://app.example.com"));
    String foreign = withHeader(urlEvent(STREAM_BODY), "origin", "https://evil.example.com");
    Response refused = api.awaitResponse(api.enqueue(foreign, DEADLINE), WAIT);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(nova.requests()).isEmpty();

    String allowed = withHeader(urlEvent(STREAM_BODY), "origin", "https://app.example.com");
    Response url = api.awaitResponse(api.enqueue(allowed, DEADLINE), WAIT);
    assertThat(url.status()).isEqualTo(200);
    assertThat(url.prelude().path("headers").fieldNames())
        .toIterable()
        .noneMatch(h -> h.startsWith("access-control-") || h.equals("vary"));

    // The HTTP API door keeps today's headers (API Gateway's own CORS replaces them).
    String viaApi = withHeader(apiEvent(STREAM_BODY), "origin", "https://app.example.com");
    Response api2 = api.awaitResponse(api.enqueue(viaApi, DEADLINE), WAIT);
    assertThat(api2.json().path("headers").path("access-control-allow-origin").asText())
        .isEqualTo("https://app.example.com");
  }

  @Test
  void should_end_a_stream_before_the_invocation_deadline_with_an_error_event_and_trailers()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    // Never silent for long, but 8 s in all; the invocation has 3 s.
    nova.enqueue(
        Reply.stream(
            Duration.ofMillis(400),
            "a",
            "b",
            "c",
            "d",
            "e",
            "f",
            "g",
            "h",
            "i",
            "j",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "q",
            "r",
            "s",
            "t"));
    long deadline = System.currentTimeMillis() + 3000;
    String id = api.enqueue(urlEvent(STREAM_BODY), Duration.ofMillis(3000));
    Response r = api.awaitResponse(id, WAIT);

    assertThat(r.bodyText())
        .contains("\"a\"")
        .contains("\"code\":\"stream_timeout\"")
        .contains("did not end within")
        .doesNotContain("data: [DONE]");
    assertThat(r.errorType()).isEqualTo("upstream_error.stream_timeout");
    long endMillis = System.currentTimeMillis() - (System.nanoTime() - r.endNanos()) / 1_000_000;
    assertThat(endMillis).isLessThan(deadline);
  }

  @Test
  void should_bound_the_http_api_door_by_the_invocation_deadline_too() throws Exception {
    FakeRuntimeApi api = start(Map.of());
    nova.enqueue(Reply.slow(Duration.ofSeconds(10)));
    Response r =
        api.awaitResponse(api.enqueue(apiEvent(WHOLE_BODY), Duration.ofMillis(2500)), WAIT);
    assertThat(r.json().path("statusCode").asInt()).isEqualTo(504);
    assertThat(JSON.readTree(r.json().path("body").asText()).path("error").path("message").asText())
        .isEqualTo("Nova did not answer within 1 s.");
  }

  @Test
  void should_answer_an_http_api_answer_over_6_mb_with_a_clear_502_not_a_lambda_failure()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    String big = "x".repeat(7 * 1024 * 1024);
    nova.enqueue(
        Reply.json(
            200,
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" + big + "\"}}]}"));
    Response whole = api.awaitResponse(api.enqueue(apiEvent(WHOLE_BODY), DEADLINE), WAIT);
    assertThat(whole.json().path("statusCode").asInt()).isEqualTo(502);
    JsonNode error = JSON.readTree(whole.json().path("body").asText()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("response_too_large");
    assertThat(error.path("message").asText()).contains("6 MB").contains("stream URL");

    String[] deltas = new String[800];
    java.util.Arrays.fill(deltas, "y".repeat(10 * 1024));
    nova.enqueue(Reply.stream(Duration.ZERO, deltas));
    Response stream = api.awaitResponse(api.enqueue(apiEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(stream.json().path("statusCode").asInt()).isEqualTo(502);
    assertThat(stream.json().path("headers").has("x-request-id")).isTrue();

    // The loop goes on.
    Response next = api.awaitResponse(api.enqueue(apiEvent(WHOLE_BODY), DEADLINE), WAIT);
    assertThat(next.json().path("statusCode").asInt()).isEqualTo(200);
  }

  @Test
  void should_cut_a_stream_at_the_streamed_size_limit_with_an_error_event_and_trailers()
      throws Exception {
    loop = LoopUnderTest.start(nova, Map.of(), () -> {}, 64 * 1024);
    FakeRuntimeApi api = loop.api;
    String[] deltas = new String[200];
    java.util.Arrays.fill(deltas, "z".repeat(1024));
    nova.enqueue(Reply.stream(Duration.ZERO, deltas));
    Response r = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(r.body().length).isLessThanOrEqualTo(64 * 1024);
    assertThat(r.bodyText())
        .contains("\"code\":\"response_too_large\"")
        .doesNotContain("data: [DONE]");
    assertThat(r.errorType()).isEqualTo("upstream_error.response_too_large");

    Response next = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(next.bodyText()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void should_wait_in_restore_next_before_the_loop_and_fetch_no_key_before_the_snapshot()
      throws Exception {
    FakeRuntimeApi api = start(Map.of(RuntimeLoop.ENV_INITIALIZATION_TYPE, "snap-start"));
    assertThat(api.awaitRestoreNext(WAIT)).isTrue();
    // The snapshot is being taken now: everything initialised, no key, no /next yet.
    assertThat(loop.keyFetches).hasValue(0);
    assertThat(api.calls()).containsExactly("GET /2018-06-01/runtime/restore/next");
    assertThat(nova.requests()).isEmpty();

    api.restore();
    Response r = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(r.bodyText()).endsWith("data: [DONE]\n\n");
    assertThat(loop.keyFetches).hasValue(1);
    assertThat(api.calls().get(1)).isEqualTo("GET /2018-06-01/runtime/invocation/next");
  }

  @Test
  void should_report_a_failure_after_the_restore_to_restore_error_and_stop() throws Exception {
    loop =
        LoopUnderTest.start(
            nova,
            Map.of(RuntimeLoop.ENV_INITIALIZATION_TYPE, "snap-start"),
            () -> {
              throw new IllegalStateException("cannot reconnect");
            },
            FunctionUrlAnswer.MAX_STREAM_BYTES);
    FakeRuntimeApi api = loop.api;
    assertThat(api.awaitRestoreNext(WAIT)).isTrue();
    api.restore();
    FakeRuntimeApi.Report report = api.awaitReport(WAIT);
    assertThat(report.path()).isEqualTo("/2018-06-01/runtime/restore/error");
    assertThat(report.errorType()).isEqualTo("Runtime.AfterRestoreError");
    assertThat(report.body().path("errorMessage").asText()).contains("cannot reconnect");
    assertThat(loop.awaitExit(WAIT)).isEqualTo(1);
    assertThat(api.calls()).noneMatch(c -> c.contains("/invocation/next"));
  }

  @Test
  void should_report_a_bad_configuration_to_init_error_and_stop() throws Exception {
    FakeRuntimeApi api = start(Map.of(ProxySettings.ENV_TIMEOUT_SECONDS, "soon"));
    FakeRuntimeApi.Report report = api.awaitReport(WAIT);
    assertThat(report.path()).isEqualTo("/2018-06-01/runtime/init/error");
    assertThat(report.errorType()).isEqualTo("Runtime.InitError");
    assertThat(report.body().path("errorMessage").asText())
        .contains(ProxySettings.ENV_TIMEOUT_SECONDS)
        .contains("positive whole number");
    assertThat(report.body().path("stackTrace").isArray()).isTrue();
    assertThat(loop.awaitExit(WAIT)).isEqualTo(1);
    assertThat(api.calls()).noneMatch(c -> c.contains("/invocation/next"));
  }

  @Test
  void should_report_an_event_it_cannot_read_to_the_invocation_error_and_go_on() throws Exception {
    FakeRuntimeApi api = start(Map.of());
    String bad = api.enqueue("this is not JSON", DEADLINE);
    Response failed = api.awaitResponse(bad, WAIT);
    FakeRuntimeApi.Report report = api.reports().get(0);
    assertThat(report.path()).isEqualTo("/2018-06-01/runtime/invocation/" + bad + "/error");
    assertThat(report.errorType()).isEqualTo("Runtime.InvalidEvent");
    assertThat(report.body().path("errorMessage").asText()).contains("payload 2.0");
    assertThat(failed.body()).isNotEmpty();

    Response next = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(next.bodyText()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void should_answer_a_hundred_invocations_with_flat_threads_heap_and_connections()
      throws Exception {
    FakeRuntimeApi api = start(Map.of());
    nova.withoutRecording();
    for (int i = 0; i < 20; i++) { // warm up: classes loaded, pools filled
      invokeBoth(api);
    }
    long heapBefore = usedHeapAfterGc(); // first: collected clients of earlier tests end threads
    long threadsBefore = loopThreads();
    for (int i = 0; i < 50; i++) {
      invokeBoth(api);
    }
    long heapAfter = usedHeapAfterGc();
    long threadsAfter = loopThreads();
    System.out.printf(
        "FIGURES 100 invocations: threads %d -> %d, heap %.1f -> %.1f MB%n",
        threadsBefore, threadsAfter, heapBefore / 1e6, heapAfter / 1e6);
    assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore);
    assertThat(heapAfter - heapBefore).isLessThan(4L * 1024 * 1024);
    awaitAtMost(() -> api.openConnections() <= 1); // the kept-alive one, waiting in /next
    awaitAtMost(() -> nova.openConnections() <= 1); // the proxy's pooled connection to Nova
  }

  private static void invokeBoth(FakeRuntimeApi api) {
    Response url = api.awaitResponse(api.enqueue(urlEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(url.bodyText()).endsWith("data: [DONE]\n\n");
    Response viaApi = api.awaitResponse(api.enqueue(apiEvent(STREAM_BODY), DEADLINE), WAIT);
    assertThat(viaApi.json().path("statusCode").asInt()).isEqualTo(200);
  }

  /** Threads of the process but the stand-ins' own pools. */
  private static long loopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.getName().startsWith("fake-"))
        .count();
  }

  private static long usedHeapAfterGc() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      least = Math.min(least, rt.totalMemory() - rt.freeMemory());
    }
    return least;
  }

  private static void awaitAtMost(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", WAIT).isLessThan(end);
      Thread.sleep(10); // a socket's close is seen by another thread; there is nothing to wait on
    }
  }
}
