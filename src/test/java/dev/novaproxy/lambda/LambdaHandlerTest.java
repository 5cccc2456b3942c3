package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Lambda handler fed real API Gateway HTTP API (payload 2.0) events, against a loopback Nova.
 */
class LambdaHandlerTest {
  private static final String KEY = "sk-lambda-TEST-key-0b7c41";
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeNova nova;
  private final AtomicInteger keyFetches = new AtomicInteger();
  private LambdaHandler handler;

  @BeforeEach
  void start() {
    nova = FakeNova.start().requireKey(KEY);
    Map<String, String> env =
        Map.of(
            ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString(),
            ProxySettings.ENV_ALLOWED_ORIGINS, "https://app.example.com",
            ProxySettings.ENV_SECRET_NAME, "backend/NovaApiKey");
    handler =
        new LambdaHandler(
            env,
            () -> {
              keyFetches.incrementAndGet();
              return KEY;
            });
  }

  @AfterEach
  void stop() {
    nova.close();
  }

  private APIGatewayV2HTTPResponse invoke(String fixture) {
    APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/" + fixture);
    return handler.handleRequest(event, null);
  }

  @Test
  void should_not_fetch_the_key_when_the_container_starts() {
    // SnapStart snapshots the initialised handler: no key may be in it.
    assertThat(keyFetches).hasValue(0);
    invoke("health-get.json");
    assertThat(keyFetches).hasValue(0);
    invoke("chat-post.json");
    assertThat(keyFetches).hasValue(1);
  }

  @Test
  void should_answer_a_chat_event_with_novas_answer() throws Exception {
    APIGatewayV2HTTPResponse r = invoke("chat-post.json");
    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(r.getIsBase64Encoded()).isFalse();
    assertThat(r.getHeaders())
        .containsEntry("content-type", "application/json")
        .containsKey("x-request-id");
    JsonNode body = JSON.readTree(r.getBody());
    assertThat(body.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("echo: Hello from Lambda");
    assertThat(nova.chatRequests().get(0).headers().get("authorization"))
        .isEqualTo("Bearer " + KEY);
  }

  @Test
  void should_decode_a_base64_body() throws Exception {
    APIGatewayV2HTTPResponse r = invoke("chat-post-base64.json");
    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(
            JSON.readTree(r.getBody())
                .path("choices")
                .path(0)
                .path("message")
                .path("content")
                .asText())
        .isEqualTo("echo: café ☕");
  }

  @Test
  void should_return_a_stream_as_one_complete_event_stream_body() {
    nova.enqueue(Reply.stream(java.time.Duration.ofMillis(20), "Stream", " me", " whole"));
    APIGatewayV2HTTPResponse r = invoke("chat-stream.json");
    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(r.getHeaders().get("content-type")).startsWith("text/event-stream");
    assertThat(r.getBody())
        .contains("\"Stream\"")
        .contains("\" whole\"")
        .endsWith("data: [DONE]\n\n");
  }

  @Test
  void should_end_a_stream_that_outlasts_the_timeout_with_an_error_event_before_lambda_gives_up() {
    Map<String, String> env =
        Map.of(
            ProxySettings.ENV_UPSTREAM_URL,
            nova.baseUrl().toString(),
            ProxySettings.ENV_TIMEOUT_SECONDS,
            "1");
    LambdaHandler quick = new LambdaHandler(env, () -> KEY);
    // Never silent for a whole second, but 1.6 s in all: the function's timeout would cut it off.
    nova.enqueue(Reply.stream(java.time.Duration.ofMillis(400), "a", "b", "c", "d", "e"));
    long start = System.nanoTime();
    APIGatewayV2HTTPResponse r =
        quick.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/chat-stream.json"), null);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofMillis(1500));
    assertThat(r.getBody())
        .contains("\"a\"")
        .contains("\"stream_timeout\"")
        .doesNotContain("[DONE]");
  }

  @Test
  void should_answer_bad_requests_with_the_same_errors_as_serve_and_not_call_nova()
      throws Exception {
    APIGatewayV2HTTPResponse invalid = invoke("chat-invalid.json");
    assertThat(invalid.getStatusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.getBody()).path("error").path("param").asText())
        .isEqualTo("messages");
    APIGatewayV2HTTPResponse notJson = invoke("chat-not-json.json");
    assertThat(notJson.getStatusCode()).isEqualTo(415);
    assertThat(JSON.readTree(notJson.getBody()).path("error").path("code").asText())
        .isEqualTo("unsupported_media_type");
    assertThat(nova.requests()).isEmpty();
  }

  @Test
  void should_answer_health_models_and_preflight() throws Exception {
    assertThat(invoke("health-get.json").getStatusCode()).isEqualTo(200);
    APIGatewayV2HTTPResponse models = invoke("models-get.json");
    assertThat(models.getStatusCode()).isEqualTo(200);
    assertThat(JSON.readTree(models.getBody()).path("data").size()).isPositive();
    APIGatewayV2HTTPResponse pre = invoke("preflight.json");
    assertThat(pre.getStatusCode()).isEqualTo(204);
    assertThat(pre.getHeaders())
        .containsEntry("access-control-allow-origin", "https://app.example.com");
  }

  @Test
  void should_turn_an_upstream_failure_into_502_without_the_key() throws Exception {
    nova.enqueue(Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
    APIGatewayV2HTTPResponse r = invoke("chat-post.json");
    assertThat(r.getStatusCode()).isEqualTo(502);
    assertThat(r.getBody()).doesNotContain(KEY);
    assertThat(JSON.readTree(r.getBody()).path("error").path("message").asText()).contains("503");
  }

  @Test
  void should_answer_an_answer_over_lambdas_6_mb_with_a_clear_502() throws Exception {
    // Lambda refuses a buffered response over 6 MB: API Gateway would answer a bare 500.
    String big = "x".repeat(7 * 1024 * 1024);
    nova.enqueue(
        Reply.json(
            200,
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" + big + "\"}}]}"));
    APIGatewayV2HTTPResponse r = invoke("chat-post.json");
    assertThat(r.getStatusCode()).isEqualTo(502);
    assertThat(r.getHeaders()).containsKey("x-request-id");
    assertThat(JSON.readTree(r.getBody()).path("error").path("code").asText())
        .isEqualTo("response_too_large");
  }
}
