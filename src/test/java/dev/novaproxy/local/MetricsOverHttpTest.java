package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.PrometheusText;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} as serve answers it, over real HTTP: the Prometheus text format (checked by
 * a strict reader of the format), with the figures of the requests before it; behind the client
 * token when one is configured; absent without a metrics page.
 */
class MetricsOverHttpTest {
  private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final String STREAM =
      "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Stream it\"}]}";
  private static final Map<String, String> SERVE = Map.of("door", "serve");

  @TempDir Path dir;
  private RunningProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private PrometheusText scrape(String... headers) {
    HttpResponse<String> r = proxy.get("/metrics", headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    return PrometheusText.parse(r.body());
  }

  private static Map<String, String> labels(String... pairs) {
    Map<String, String> m = new java.util.TreeMap<>(SERVE);
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Test
  void should_expose_requests_latency_first_token_tokens_and_throttles() {
    proxy = RunningProxy.withMetrics(s -> s, null);
    assertThat(proxy.post("/chat", CHAT).statusCode()).isEqualTo(200);
    assertThat(proxy.post("/chat", CHAT).statusCode()).isEqualTo(200);
    assertThat(proxy.post("/chat", STREAM).body()).contains("[DONE]");
    assertThat(proxy.post("/chat", "{\"messages\":[]}").statusCode()).isEqualTo(400);
    proxy.nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\"}}"));
    assertThat(proxy.post("/chat", CHAT).statusCode()).isEqualTo(429);

    PrometheusText m = scrape();
    String requests = "novaproxy_requests_total";
    assertThat(m.type(requests)).isEqualTo("counter");
    assertThat(m.value(requests, labels("route", "chat", "status", "200", "class", "2xx")))
        .isEqualTo(3);
    assertThat(m.value(requests, labels("route", "chat", "status", "400", "class", "4xx")))
        .isEqualTo(1);
    assertThat(m.value(requests, labels("route", "chat", "status", "429", "class", "4xx")))
        .isEqualTo(1);
    assertThat(m.value("novaproxy_upstream_throttled_total", SERVE)).isEqualTo(1);
    assertThat(m.value("novaproxy_over_limit_total", SERVE)).isZero();
    // By the code each error answer carried (the access line's "error").
    assertThat(m.samples())
        .filteredOn(x -> x.name().equals("novaproxy_errors_total"))
        .extracting(x -> x.labels().get("code"))
        .containsExactlyInAnyOrderElementsOf(
            proxy.logLines.stream()
                .filter(l -> l.contains("\"error\":"))
                .map(l -> l.replaceAll(".*\"error\":\"([^\"]+)\".*", "$1"))
                .toList());

    assertThat(m.type("novaproxy_request_duration_seconds")).isEqualTo("histogram");
    assertThat(m.value("novaproxy_request_duration_seconds_count", SERVE)).isEqualTo(5);
    // Nova was reached by four of them (the 400 never left the proxy).
    assertThat(m.value("novaproxy_upstream_duration_seconds_count", SERVE)).isEqualTo(4);
    assertThat(m.value("novaproxy_time_to_first_token_seconds_count", SERVE)).isEqualTo(1);
    assertThat(m.value("novaproxy_request_duration_seconds_sum", SERVE)).isPositive();

    String model = proxy.nova.chatRequests().get(0).json().path("model").asText();
    assertThat(m.value("novaproxy_prompt_tokens_total", labels("model", model))).isPositive();
    assertThat(m.value("novaproxy_completion_tokens_total", labels("model", model))).isPositive();
    // The first scrape counts itself only once it is answered.
    assertThat(
            scrape().value(requests, labels("route", "metrics", "status", "200", "class", "2xx")))
        .isEqualTo(1);
  }

  @Test
  void should_count_requests_the_limits_refuse_as_over_limit() {
    LocalFileStore store = new LocalFileStore(dir.resolve("keys.json"), Clock.systemUTC());
    proxy =
        RunningProxy.withMetrics(
            s ->
                s.withLimits(
                    LimitsSettings.fromEnvironment(Map.of(LimitsSettings.ENV_ANONYMOUS_RPM, "1"))),
            store);
    assertThat(proxy.post("/chat", CHAT).statusCode()).isEqualTo(200);
    assertThat(proxy.post("/chat", CHAT).statusCode()).isEqualTo(429);
    PrometheusText m = scrape();
    assertThat(m.value("novaproxy_over_limit_total", SERVE)).isEqualTo(1);
    assertThat(m.value("novaproxy_upstream_throttled_total", SERVE)).isZero();
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_ask_for_the_client_token_when_one_is_configured() {
    String token = "np-metrics-client-token-1";
    proxy =
        RunningProxy.withMetrics(
            s -> s.withClientAuth(ClientAuth.ofSha256(List.of(ClientAuth.sha256Hex(token)))), null);
    HttpResponse<String> anonymous = proxy.get("/metrics");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("\"error\"").doesNotContain("novaproxy_requests_total");
    PrometheusText m = scrape("Authorization", "Bearer " + token);
    assertThat(
            m.value(
                "novaproxy_requests_total",
                labels("route", "metrics", "status", "401", "class", "4xx")))
        .isEqualTo(1);
  }

  @Test
  void should_answer_404_without_a_metrics_page_and_405_to_a_post() {
    proxy = RunningProxy.start();
    assertThat(proxy.get("/metrics").statusCode()).isEqualTo(404);
    proxy.close();
    proxy = RunningProxy.withMetrics(s -> s, null);
    assertThat(proxy.post("/metrics", "{}").statusCode()).isEqualTo(405);
  }

  @Test
  void should_refuse_an_exposition_that_breaks_the_format() {
    // The reader must be able to fail, or the checks above prove nothing.
    assertThatThrownBy(() -> PrometheusText.parse("novaproxy_x 1\n"))
        .hasMessageContaining("no TYPE");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na{b=\"c\"d\"} 1\n"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(
            () ->
                PrometheusText.parse(
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                        + "h_sum 1\nh_count 1\n"))
        .hasMessageContaining("cumulative");
  }
}
