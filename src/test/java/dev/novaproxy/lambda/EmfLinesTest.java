package dev.novaproxy.lambda;

import static dev.novaproxy.lambda.LoopUnderTest.STREAM_BODY;
import static dev.novaproxy.lambda.LoopUnderTest.WHOLE_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.metrics.EmfMetrics;
import dev.novaproxy.testing.EmfLines;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics the function publishes: lines the real handler wrote for real API Gateway and
 * function URL events, against a loopback Nova, checked against AWS's EMF schema and against the
 * metric contract the alarms rely on (docs/aws.md, "Metrics"): names, units and dimension sets.
 */
class EmfLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> BY_DEPLOYMENT = List.of("Deployment");
  private static final List<String> BY_DOOR = List.of("Deployment", "Door");
  private static final List<String> BY_MODEL = List.of("Deployment", "Model");
  private static final List<String> BY_ERROR = List.of("Deployment", "ErrorCode");

  @TempDir Path dir;
  private FakeNova nova;
  private HandlerUnderLog function;

  @BeforeEach
  void start() {
    nova = FakeNova.start().requireKey(HandlerUnderLog.KEY);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (function != null) {
      function.close();
    }
    nova.close();
  }

  private HandlerUnderLog function() {
    function = new HandlerUnderLog(nova);
    return function;
  }

  /** The access line, valid EMF, holding neither the key nor any message content. */
  private static JsonNode emf(String line) {
    assertThat(line)
        .doesNotContain(HandlerUnderLog.KEY)
        .doesNotContain("Hello from Lambda")
        .doesNotContain("Stream me");
    JsonNode node = EmfLines.valid(line);
    assertThat(node.path("_aws").path("CloudWatchMetrics"))
        .allSatisfy(d -> assertThat(d.path("Namespace").asText()).isEqualTo("NovaProxy"));
    assertThat(node.path("Deployment").asText()).isEqualTo(HandlerUnderLog.FUNCTION);
    return node;
  }

  /** The dimension sets a metric is published under, and its unit (one per metric). */
  private static Set<List<String>> sets(JsonNode line, String metric) {
    Set<List<String>> out = new HashSet<>();
    for (JsonNode d : line.path("_aws").path("CloudWatchMetrics")) {
      for (JsonNode m : d.path("Metrics")) {
        if (m.path("Name").asText().equals(metric)) {
          for (JsonNode set : d.path("Dimensions")) {
            List<String> names = new ArrayList<>();
            set.forEach(n -> names.add(n.asText()));
            out.add(names);
          }
        }
      }
    }
    return out;
  }

  private static String unit(JsonNode line, String metric) {
    for (JsonNode d : line.path("_aws").path("CloudWatchMetrics")) {
      for (JsonNode m : d.path("Metrics")) {
        if (m.path("Name").asText().equals(metric)) {
          return m.path("Unit").asText();
        }
      }
    }
    return null;
  }

  @Test
  void should_publish_a_buffered_chat_with_the_contracts_names_units_and_dimension_sets() {
    var response = function().managed("chat-post.json");
    assertThat(response.getStatusCode()).isEqualTo(200);
    JsonNode line = emf(function.lines.get(function.lines.size() - 1));

    assertThat(line.path("Door").asText()).isEqualTo("api");
    assertThat(line.path("Requests").asInt()).isEqualTo(1);
    assertThat(line.path("Errors4xx").asInt()).isZero();
    assertThat(line.path("Errors5xx").asInt()).isZero();
    assertThat(line.path("UpstreamThrottled").asInt()).isZero();
    assertThat(line.path("OverLimit").asInt()).isZero();
    assertThat(line.path("Latency").asDouble())
        .isEqualTo(line.path("latency_ms").asDouble())
        .isGreaterThanOrEqualTo(line.path("UpstreamLatency").asDouble());
    assertThat(line.path("PromptTokens").asLong())
        .isEqualTo(line.path("usage").path("prompt_tokens").asLong())
        .isPositive();
    assertThat(line.path("CompletionTokens").asLong())
        .isEqualTo(line.path("usage").path("completion_tokens").asLong());
    assertThat(line.path("Model").asText()).isEqualTo(line.path("model").asText()).isNotEmpty();
    assertThat(line.path("_aws").path("Timestamp").asLong())
        .isEqualTo(java.time.Instant.parse(line.path("time").asText()).toEpochMilli());

    for (String m : List.of("Requests", "Errors5xx", "Latency")) {
      assertThat(sets(line, m)).as(m).containsExactlyInAnyOrder(BY_DEPLOYMENT, BY_DOOR);
    }
    for (String m : List.of("Errors4xx", "UpstreamLatency", "UpstreamThrottled", "OverLimit")) {
      assertThat(sets(line, m)).as(m).containsExactly(BY_DEPLOYMENT);
    }
    for (String m : List.of("PromptTokens", "CompletionTokens")) {
      assertThat(sets(line, m)).as(m).containsExactlyInAnyOrder(BY_DEPLOYMENT, BY_MODEL);
    }
    assertThat(unit(line, "Latency")).isEqualTo("Milliseconds");
    assertThat(unit(line, "UpstreamLatency")).isEqualTo("Milliseconds");
    assertThat(unit(line, "Requests")).isEqualTo("Count");
    assertThat(unit(line, "PromptTokens")).isEqualTo("Count");
    // Not a stream, no error: these metrics are absent, not zero.
    assertThat(sets(line, "TimeToFirstToken")).isEmpty();
    assertThat(sets(line, "Errors")).isEmpty();
    assertThat(line.has("ErrorCode")).isFalse();
  }

  @Test
  void should_time_the_first_token_of_a_stream_through_the_function_url() throws Exception {
    nova.enqueue(Reply.stream(Duration.ofMillis(30), "Stream", " me", " live"));
    FakeRuntimeApi.Response r = function().url(STREAM_BODY);
    assertThat(r.streamed()).isTrue();
    JsonNode line = emf(function.lastLine(1));

    assertThat(line.path("Door").asText()).isEqualTo("stream");
    assertThat(line.path("stream").asBoolean()).isTrue();
    assertThat(sets(line, "TimeToFirstToken")).containsExactly(BY_DEPLOYMENT);
    assertThat(unit(line, "TimeToFirstToken")).isEqualTo("Milliseconds");
    // The first event leaves before the two 30 ms gaps that follow it.
    assertThat(line.path("TimeToFirstToken").asDouble())
        .isEqualTo(line.path("first_token_ms").asDouble())
        .isPositive()
        .isLessThan(line.path("Latency").asDouble());
  }

  @Test
  void should_count_a_streams_tokens_when_nova_reports_them() throws Exception {
    String body =
        "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Stream me\"}]}";
    function().url(body);
    JsonNode line = emf(function.lastLine(1));
    assertThat(line.path("CompletionTokens").asLong())
        .isEqualTo(line.path("usage").path("completion_tokens").asLong())
        .isPositive();
    assertThat(sets(line, "CompletionTokens")).containsExactlyInAnyOrder(BY_DEPLOYMENT, BY_MODEL);
  }

  @Test
  void should_count_a_streams_tokens_also_when_the_client_did_not_ask_for_usage() throws Exception {
    FakeRuntimeApi.Response r = function().url(STREAM_BODY);
    assertThat(r.bodyText())
        .as("the usage chunk the client did not ask for")
        .doesNotContain("usage");
    JsonNode line = emf(function.lastLine(1));
    assertThat(line.path("CompletionTokens").asLong()).isPositive();
    assertThat(line.path("PromptTokens").asLong()).isPositive();
  }

  @Test
  void should_count_a_stream_through_the_http_api_door_as_api() throws Exception {
    FakeRuntimeApi.Response r = function().api(STREAM_BODY);
    assertThat(r.bodyText()).contains("[DONE]");
    JsonNode line = emf(function.lastLine(1));
    assertThat(line.path("Door").asText()).isEqualTo("api");
    assertThat(line.has("TimeToFirstToken")).isTrue();
  }

  @Test
  void should_count_a_refused_request_as_a_4xx_with_its_error_code() {
    var response = function().managed("chat-invalid.json");
    assertThat(response.getStatusCode()).isEqualTo(400);
    JsonNode line = emf(function.lines.get(0));

    assertThat(line.path("Errors4xx").asInt()).isEqualTo(1);
    assertThat(line.path("Errors5xx").asInt()).isZero();
    assertThat(line.path("ErrorCode").asText()).isEqualTo(line.path("error").asText()).isNotEmpty();
    assertThat(line.path("Errors").asInt()).isEqualTo(1);
    assertThat(sets(line, "Errors")).containsExactly(BY_ERROR);
    assertThat(line.has("UpstreamLatency")).as("Nova was not called").isFalse();
    assertThat(nova.chatRequests()).isEmpty();
  }

  @Test
  void should_count_novas_5xx() throws Exception {
    nova.enqueue(Reply.json(500, "{\"error\":{\"message\":\"Nova broke\",\"type\":\"server\"}}"));
    FakeRuntimeApi.Response r = function().api(WHOLE_BODY);
    JsonNode line = emf(function.lastLine(1));
    assertThat(line.path("status").asInt()).isGreaterThanOrEqualTo(500);
    assertThat(line.path("Errors5xx").asInt()).isEqualTo(1);
    assertThat(line.path("Errors4xx").asInt()).isZero();
    assertThat(line.path("Door").asText()).isEqualTo("api");
    assertThat(line.has("UpstreamLatency")).isTrue();
    assertThat(line.path("ErrorCode").asText()).isEqualTo(line.path("error").asText()).isNotEmpty();
    assertThat(r.bodyText()).contains("error");
  }

  @Test
  void should_count_novas_429_as_upstream_throttled_not_over_limit() throws Exception {
    nova.enqueue(
        Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}"));
    function().api(WHOLE_BODY);
    JsonNode line = emf(function.lastLine(1));
    assertThat(line.path("status").asInt()).isEqualTo(429);
    assertThat(line.path("UpstreamThrottled").asInt()).isEqualTo(1);
    assertThat(line.path("OverLimit").asInt()).isZero();
    assertThat(line.path("Errors4xx").asInt()).isEqualTo(1);
  }

  @Test
  void should_count_a_request_novaproxys_own_limits_refuse_as_over_limit() {
    LocalFileStore store = new LocalFileStore(dir.resolve("keys.json"), Clock.systemUTC());
    function = new HandlerUnderLog(nova, Map.of(LimitsSettings.ENV_ANONYMOUS_RPM, "1"), store);
    assertThat(function.managed("chat-post.json").getStatusCode()).isEqualTo(200);
    assertThat(function.managed("chat-post.json").getStatusCode()).isEqualTo(429);

    JsonNode first = emf(function.lines.get(0));
    JsonNode refused = emf(function.lines.get(1));
    assertThat(first.path("OverLimit").asInt()).isZero();
    assertThat(refused.path("OverLimit").asInt()).isEqualTo(1);
    assertThat(refused.path("UpstreamThrottled").asInt()).isZero();
    assertThat(refused.has("UpstreamLatency")).isFalse();
    assertThat(nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_keep_the_access_lines_members_and_only_add_the_emf_ones() {
    function = new HandlerUnderLog(nova, Map.of(EmfMetrics.ENV_FUNCTION_NAME, ""), null);
    function.managed("chat-post.json");
    ObjectNode plain = (ObjectNode) read(function.lines.get(0));
    assertThat(plain.has("_aws")).as("no function name: no EMF").isFalse();
    try (HandlerUnderLog withEmf = new HandlerUnderLog(nova)) {
      withEmf.managed("chat-post.json");
      JsonNode line = emf(withEmf.lines.get(0));
      Set<String> added = new HashSet<>();
      line.fieldNames().forEachRemaining(added::add);
      plain.fieldNames().forEachRemaining(added::remove);
      assertThat(added)
          .containsExactlyInAnyOrder(
              "_aws",
              "Deployment",
              "Door",
              "Model",
              "Requests",
              "Errors4xx",
              "Errors5xx",
              "Latency",
              "UpstreamLatency",
              "UpstreamThrottled",
              "OverLimit",
              "PromptTokens",
              "CompletionTokens");
      plain
          .fieldNames()
          .forEachRemaining(
              f -> assertThat(line.get(f).getNodeType()).isEqualTo(plain.get(f).getNodeType()));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void should_have_a_schema_check_that_fails_on_broken_documents() {
    function().managed("chat-invalid.json");
    ObjectNode line = (ObjectNode) emf(function.lines.get(0));
    ObjectNode noTimestamp = line.deepCopy();
    ((ObjectNode) noTimestamp.path("_aws")).remove("Timestamp");
    assertThat(EmfLines.problems(noTimestamp)).anyMatch(p -> p.contains("Timestamp"));
    ObjectNode noDimension = line.deepCopy();
    noDimension.remove("Deployment");
    assertThat(EmfLines.problems(noDimension)).anyMatch(p -> p.contains("Deployment"));
    ObjectNode badUnit = line.deepCopy();
    ((ObjectNode) badUnit.path("_aws").path("CloudWatchMetrics").path(0).path("Metrics").path(0))
        .put("Unit", "Tokens");
    assertThat(EmfLines.problems(badUnit)).isNotEmpty();
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new AssertionError(line, e);
    }
  }
}
