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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    // No allowed models configured: Nova's whole list, as Nova sent it.
    assertThat(modelIds(models))
        .containsExactly(
            "nova-2-lite-v1", "nova-2-pro-v1", "nova-micro-v1", "nova-lite-v1", "nova-pro-v1");
    APIGatewayV2HTTPResponse pre = invoke("preflight.json");
    assertThat(pre.getStatusCode()).isEqualTo(204);
    assertThat(pre.getHeaders())
        .containsEntry("access-control-allow-origin", "https://app.example.com");
  }

  private static List<String> modelIds(APIGatewayV2HTTPResponse r) throws Exception {
    JsonNode body = JSON.readTree(r.getBody());
    assertThat(body.path("object").asText()).isEqualTo("list");
    List<String> ids = new ArrayList<>();
    body.path("data").forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  @Test
  void should_list_only_the_allowed_models_that_nova_offers() throws Exception {
    nova.models(List.of("nova-micro-v1", "nova-2-pro-v1", "nova-pro-v1", "nova-2-lite-v1"));
    Map<String, String> env =
        Map.of(
            ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString(),
            ProxySettings.ENV_DEFAULT_MODEL, "nova-2-lite-v1",
            // nova-premier-v1 is allowed but Nova does not offer it: not listed.
            ProxySettings.ENV_ALLOWED_MODELS, "nova-2-lite-v1,nova-2-pro-v1,nova-premier-v1");
    LambdaHandler allowing = new LambdaHandler(env, () -> KEY);

    APIGatewayV2HTTPResponse r =
        allowing.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/models-get.json"), null);

    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(modelIds(r))
        .as("in Nova's order")
        .containsExactly("nova-2-pro-v1", "nova-2-lite-v1");
    assertThat(JSON.readTree(r.getBody()).path("data").path(0).path("owned_by").asText())
        .as("each entry as Nova sent it")
        .isEqualTo("amazon");
    assertThat(nova.requests())
        .singleElement()
        .satisfies(
            sent -> {
              assertThat(sent.method() + " " + sent.path()).isEqualTo("GET /v1/models");
              assertThat(sent.headers().get("authorization")).isEqualTo("Bearer " + KEY);
            });
  }

  @Test
  void should_vary_on_origin_with_and_without_an_origin() {
    APIGatewayV2HTTPEvent noOrigin = EventLoader.loadApiGatewayHttpEvent("events/models-get.json");
    APIGatewayV2HTTPEvent otherOrigin =
        EventLoader.loadApiGatewayHttpEvent("events/models-get.json");
    otherOrigin.getHeaders().put("origin", "https://evil.example.net");
    for (APIGatewayV2HTTPEvent event : List.of(noOrigin, otherOrigin)) {
      assertThat(handler.handleRequest(event, null).getHeaders()).containsEntry("vary", "Origin");
    }
    assertThat(invoke("health-get.json").getHeaders()).containsEntry("vary", "Origin");
    assertThat(invoke("preflight.json").getHeaders()).containsEntry("vary", "Origin");
  }

  @Test
  void should_take_the_key_out_of_upstream_answers_that_quote_the_authorization_header() {
    nova.enqueue(
        Reply.echoAuthorization(400),
        Reply.echoAuthorization(500),
        Reply.streamThenEchoAuthorization("Hel", "lo"));
    APIGatewayV2HTTPResponse relayed = invoke("chat-post.json");
    APIGatewayV2HTTPResponse failed = invoke("chat-post.json");
    APIGatewayV2HTTPResponse streamed = invoke("chat-stream.json");

    assertThat(relayed.getStatusCode()).isEqualTo(400);
    assertThat(failed.getStatusCode()).isEqualTo(502);
    assertThat(streamed.getStatusCode()).isEqualTo(200);
    for (APIGatewayV2HTTPResponse r : List.of(relayed, failed, streamed)) {
      assertThat(r.getBody()).contains("Bearer [redacted]").doesNotContain(KEY);
    }
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
  void should_refuse_an_upstream_host_not_allowed_with_an_openai_shaped_500_and_log_why()
      throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    LambdaHandler refused =
        new LambdaHandler(
            Map.of(ProxySettings.ENV_UPSTREAM_URL, "https://nova.evil.example/v1"),
            () -> {
              keyFetches.incrementAndGet();
              return KEY;
            },
            log::add);
    for (String fixture : List.of("chat-post.json", "health-get.json", "models-get.json")) {
      APIGatewayV2HTTPResponse r =
          refused.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/" + fixture), null);
      assertThat(r.getStatusCode()).as(fixture).isEqualTo(500);
      assertThat(r.getHeaders())
          .containsEntry("content-type", "application/json")
          .containsKey("x-request-id");
      JsonNode error = JSON.readTree(r.getBody()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("proxy_misconfigured");
      assertThat(error.path("type").asText()).isEqualTo("server_error");
      assertThat(error.path("message").asText()).contains("operator");
      assertThat(r.getBody()).doesNotContain(KEY);
    }
    assertThat(keyFetches).hasValue(0);
    assertThat(log.get(0))
        .contains("nova.evil.example, which is not the Nova API")
        .contains("NOVA_UPSTREAM_ALLOWED_HOSTS");
    assertThat(log).allSatisfy(l -> assertThat(l).doesNotContain(KEY));
  }

  @Test
  void should_refuse_an_upstream_url_with_a_password_without_logging_it() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    LambdaHandler refused =
        new LambdaHandler(
            Map.of(ProxySettings.ENV_UPSTREAM_URL, "http://alice:pw-s3cret@127.0.0.1:1/v1"),
            () -> KEY,
            log::add);
    APIGatewayV2HTTPResponse r =
        refused.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/chat-post.json"), null);
    assertThat(r.getStatusCode()).isEqualTo(500);
    assertThat(log.get(0)).contains("user name or password").contains("127.0.0.1:1/v1");
    assertThat(log).allSatisfy(l -> assertThat(l).doesNotContain("s3cret").doesNotContain("alice"));
    assertThat(r.getBody()).doesNotContain("s3cret");
  }

  @Test
  void should_warn_in_the_log_when_the_key_goes_to_an_explicitly_allowed_host() {
    List<String> log = new CopyOnWriteArrayList<>();
    new LambdaHandler(
        Map.of(
            ProxySettings.ENV_UPSTREAM_URL, "https://nova.internal.example/v1",
            ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS, "nova.internal.example"),
        () -> KEY,
        log::add);
    assertThat(log)
        .singleElement()
        .satisfies(
            line ->
                assertThat(JSON.readTree(line).path("message").asText())
                    .isEqualTo(
                        "warning: the Nova key will be sent to nova.internal.example, which is not"
                            + " the Nova API"));
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
