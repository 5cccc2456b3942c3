package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.MovableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client keys and limits in the Lambda handler, fed real API Gateway HTTP API (2.0) events: the
 * anonymous limits count the event's {@code requestContext.http.sourceIp} (never the
 * X-Forwarded-For header a client can write), the limits come from the function's environment, and
 * a refused event never reaches Nova.
 */
class LambdaLimitsTest {
  private static final String KEY = "sk-lambda-TEST-key-0b7c41";
  // The key in the chat-post-keyed.json and chat-post-key-in-query.json fixtures.
  private static final String FIXTURE_KEY = "np_LambdaFixtureKey-not-a-real-secret_00000000";
  private static final Instant T0 = Instant.parse("2026-11-30T12:05:30Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private FakeNova nova;
  private LocalFileStore store;
  private MovableClock clock;

  @BeforeEach
  void start() {
    nova = FakeNova.start().requireKey(KEY);
    clock = new MovableClock(T0);
    store = new LocalFileStore(dir.resolve("keys.json"), clock);
  }

  @AfterEach
  void stop() {
    nova.close();
  }

  private LambdaHandler handler(Map<String, String> limits) {
    Map<String, String> env = new HashMap<>(limits);
    env.put(ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString());
    return new LambdaHandler(env, () -> KEY, store, clock);
  }

  private static APIGatewayV2HTTPEvent event(String fixture) {
    return EventLoader.loadApiGatewayHttpEvent("events/" + fixture);
  }

  private static JsonNode error(APIGatewayV2HTTPResponse r, int status, String code)
      throws Exception {
    assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
    JsonNode error = JSON.readTree(r.getBody()).path("error");
    assertThat(error.path("code").asText()).isEqualTo(code);
    return error;
  }

  @Test
  void should_limit_anonymous_callers_by_the_events_source_ip() throws Exception {
    LambdaHandler handler = handler(Map.of(LimitsSettings.ENV_ANONYMOUS_RPM, "1"));
    assertThat(handler.handleRequest(event("chat-post.json"), null).getStatusCode()).isEqualTo(200);
    APIGatewayV2HTTPResponse again = handler.handleRequest(event("chat-post.json"), null);
    error(again, 429, "ip_rate_limited");
    assertThat(again.getHeaders()).containsEntry("retry-after", "30");

    APIGatewayV2HTTPEvent other = event("chat-post.json");
    other.getRequestContext().getHttp().setSourceIp("198.51.100.23");
    assertThat(handler.handleRequest(other, null).getStatusCode()).isEqualTo(200);
    assertThat(nova.chatRequests()).hasSize(2);
    assertThat(store.read("rpm#ip:203.0.113.10#202611301205")).isEqualTo(1);
    assertThat(store.read("rpm#ip:198.51.100.23#202611301205")).isEqualTo(1);
  }

  @Test
  void should_count_ipv6_callers_per_64() {
    LambdaHandler handler = handler(Map.of(LimitsSettings.ENV_ANONYMOUS_RPM, "1"));
    assertThat(handler.handleRequest(event("chat-post-ipv6.json"), null).getStatusCode())
        .isEqualTo(200);
    APIGatewayV2HTTPEvent sameHost = event("chat-post-ipv6.json");
    sameHost.getRequestContext().getHttp().setSourceIp("2001:db8:85a3:8d3::1");
    assertThat(handler.handleRequest(sameHost, null).getStatusCode()).isEqualTo(429);
    assertThat(store.read("rpm#ip:2001:db8:85a3:8d3::/64#202611301205")).isEqualTo(1);
  }

  @Test
  void should_count_a_keyed_events_tokens_under_the_key_not_the_forwarded_for_header()
      throws Exception {
    store.createKey(
        new ClientKey(
            "web-app", ClientKey.hashOf(FIXTURE_KEY), 1, 1000L, Set.of(), null, T0, null));
    LambdaHandler handler =
        handler(
            Map.of(
                LimitsSettings.ENV_ANONYMOUS, "deny",
                LimitsSettings.ENV_DAILY_TOKEN_BUDGET, "5000"));
    assertThat(handler.handleRequest(event("chat-post-keyed.json"), null).getStatusCode())
        .isEqualTo(200);
    assertThat(store.read("tokens#key:web-app#2026-11-30")).isEqualTo(15);
    assertThat(store.read("tokens#budget#2026-11-30")).isEqualTo(15);
    error(handler.handleRequest(event("chat-post-keyed.json"), null), 429, "key_rate_limited");
    error(handler.handleRequest(event("chat-post.json"), null), 401, "client_key_required");
    assertThat(nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_count_a_streamed_events_usage_and_return_the_stream_without_it() throws Exception {
    LambdaHandler handler = handler(Map.of(LimitsSettings.ENV_ANONYMOUS_TOKENS_PER_DAY, "1000000"));
    APIGatewayV2HTTPResponse r = handler.handleRequest(event("chat-stream.json"), null);
    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(r.getBody()).endsWith("data: [DONE]\n\n").doesNotContain("usage");
    // "echo:", " Stream", " me": 10 + 3 in FakeNova's stream usage.
    assertThat(store.read("tokens#ip:203.0.113.10#2026-11-30")).isEqualTo(13);
  }

  @Test
  void should_refuse_a_key_in_the_query_string_before_nova() throws Exception {
    LambdaHandler handler = handler(Map.of(LimitsSettings.ENV_DAILY_TOKEN_BUDGET, "5000"));
    APIGatewayV2HTTPResponse r = handler.handleRequest(event("chat-post-key-in-query.json"), null);
    error(r, 400, "credential_in_query");
    assertThat(r.getBody()).doesNotContain(FIXTURE_KEY);
    assertThat(nova.requests()).isEmpty();
  }

  @Test
  void should_refuse_to_start_with_limits_and_no_store() {
    Map<String, String> env =
        Map.of(
            ProxySettings.ENV_UPSTREAM_URL,
            nova.baseUrl().toString(),
            LimitsSettings.ENV_DAILY_TOKEN_BUDGET,
            "5000");
    // Not served without its limits: every request gets the misconfigured proxy's 500, and the
    // reason (naming the missing table) goes to the log, never to Nova.
    APIGatewayV2HTTPResponse r =
        new LambdaHandler(env, () -> KEY).handleRequest(event("chat-post.json"), null);
    assertThat(r.getStatusCode()).isEqualTo(500);
    assertThat(r.getBody()).contains("proxy_misconfigured");
    assertThat(nova.chatRequests()).isEmpty();
  }

  @Test
  void should_refuse_to_start_with_a_malformed_limit() {
    Map<String, String> env = Map.of(LimitsSettings.ENV_ANONYMOUS, "maybe");
    APIGatewayV2HTTPResponse r =
        new LambdaHandler(env, () -> KEY, store, clock)
            .handleRequest(event("chat-post.json"), null);
    assertThat(r.getStatusCode()).isEqualTo(500);
    assertThat(r.getBody()).contains("proxy_misconfigured");
    assertThat(nova.chatRequests()).isEmpty();
  }
}
