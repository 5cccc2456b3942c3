package dev.novaproxy.local;

import static dev.novaproxy.testing.BadRequests.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.testing.BadRequests;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input matrix through real HTTP: each rejected request gets its status and the OpenAI
 * error shape with an {@code x-request-id}, and the loopback Nova behind the proxy sees nothing.
 */
class BadInputOverHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HELLO = json("{'messages':[{'role':'user','content':'Hello'}]}");

  /** The default policy, as the matrix assumes. */
  private static RunningProxy proxy;

  /** Small limits and two allowed models, for the policy and limit cases. */
  private static RunningProxy strict;

  @BeforeAll
  static void start() {
    proxy = RunningProxy.start();
    strict =
        RunningProxy.start(
            s ->
                s.withPolicy(
                    new Policy(
                        "nova-2-lite-v1",
                        Set.of("nova-2-lite-v1", "nova-2-pro-v1"),
                        100,
                        List.of(),
                        new Policy.Limits(1024, 8, 200))));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    strict.close();
  }

  @AfterEach
  void forget() {
    proxy.nova.clear();
    strict.nova.clear();
  }

  static List<BadRequests.Case> badRequests() {
    return BadRequests.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void should_reject_bad_input_before_it_reaches_nova(BadRequests.Case c) throws Exception {
    HttpResponse<String> r = post(proxy, "/v1/chat/completions", c.body(), "application/json");

    JsonNode error = assertError(r, c.status(), c.code());
    assertThat(error.path("type").asText()).isEqualTo(c.type());
    assertThat(error.path("param").isNull() ? null : error.path("param").asText())
        .isEqualTo(c.param());
    if (c.message() != null) {
      assertThat(error.path("message").asText()).contains(c.message());
    }
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_forward_a_good_request_so_the_matrix_proves_something() throws Exception {
    HttpResponse<String> r =
        post(proxy, "/v1/chat/completions", HELLO.getBytes(), "application/json");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @ParameterizedTest(name = "Content-Type {0}")
  @CsvSource({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
  void should_answer_415_to_a_body_that_is_not_json(String type) throws Exception {
    assertError(post(proxy, "/chat", HELLO.getBytes(), type), 415, "unsupported_media_type");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_answer_415_without_a_content_type() throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(proxy.url("/chat"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(HELLO))
            .build();

    assertError(proxy.send(req), 415, "unsupported_media_type");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_answer_413_to_a_body_over_the_limit() throws Exception {
    String big = json("{'messages':[{'role':'user','content':'" + "x".repeat(1100) + "'}]}");

    assertError(
        post(strict, "/chat", big.getBytes(), "application/json"), 413, "request_too_large");
    assertThat(strict.nova.requests()).isEmpty();
  }

  @Test
  void should_answer_413_to_a_body_over_the_default_six_megabytes() throws Exception {
    byte[] big = new byte[Policy.Limits.DEFAULT_MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');

    assertError(post(proxy, "/chat", big, "application/json"), 413, "request_too_large");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "GET, /chat",
    "GET, /v1/chat/completions",
    "PUT, /chat",
    "DELETE, /v1/chat/completions"
  })
  void should_answer_405_to_a_wrong_method(String method, String path) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(proxy.url(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(method.equals("GET") ? "" : HELLO))
            .build();
    HttpResponse<String> r = proxy.send(req);

    assertError(r, 405, "method_not_allowed");
    assertThat(r.headers().firstValue("allow"))
        .hasValueSatisfying(a -> assertThat(a).contains("POST"));
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/v1/completions", "/v1/chat", "/chat/completions/extra", "/"})
  void should_answer_404_to_an_unknown_path(String path) throws Exception {
    assertError(post(proxy, path, HELLO.getBytes(), "application/json"), 404, "unknown_url");
    assertThat(proxy.nova.requests()).isEmpty();
  }

  @Test
  void should_refuse_a_model_outside_the_allowed_ones_naming_them() throws Exception {
    byte[] body =
        json("{'model':'nova-premier-v1','messages':[{'role':'user','content':'hi'}]}").getBytes();

    HttpResponse<String> r = post(strict, "/chat", body, "application/json");

    JsonNode error = assertError(r, 400, "model_not_allowed");
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(error.path("message").asText()).contains("nova-2-lite-v1, nova-2-pro-v1");
    assertThat(strict.nova.requests()).isEmpty();
  }

  @Test
  void should_reject_limits_set_by_the_policy() throws Exception {
    byte[] deep =
        json("{'messages':[{'role':'user','content':'hi'}],'m':"
                + "[".repeat(9)
                + "]".repeat(9)
                + "}")
            .getBytes();
    byte[] longString =
        json("{'messages':[{'role':'user','content':'" + "y".repeat(201) + "'}]}").getBytes();

    assertError(post(strict, "/chat", deep, "application/json"), 400, "nesting_too_deep");
    JsonNode tooLong =
        assertError(post(strict, "/chat", longString, "application/json"), 400, "string_too_long");
    assertThat(tooLong.path("param").asText()).isEqualTo("messages[0].content");
    assertThat(strict.nova.requests()).isEmpty();
  }

  @Test
  void should_forward_the_capped_request_to_nova() throws Exception {
    byte[] body =
        json("{'max_tokens':5000,'metadata':{'k':"
                + " 1.50},'messages':[{'role':'user','content':'hi'}]}")
            .getBytes();

    HttpResponse<String> r = post(strict, "/chat", body, "application/json");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode seen = strict.nova.chatRequests().get(0).json();
    assertThat(seen.path("max_tokens").asInt()).isEqualTo(100);
    assertThat(seen.path("model").asText()).isEqualTo("nova-2-lite-v1");
    assertThat(strict.nova.chatRequests().get(0).bodyText()).contains("\"metadata\":{\"k\": 1.50}");
  }

  private static HttpResponse<String> post(
      RunningProxy p, String path, byte[] body, String contentType) {
    HttpRequest req =
        HttpRequest.newBuilder(p.url(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return p.send(req);
  }

  /** Asserts the OpenAI error shape and the request id; returns the {@code error} object. */
  private static JsonNode assertError(HttpResponse<String> r, int status, String code)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.headers().firstValue("x-request-id"))
        .hasValueSatisfying(id -> assertThat(id).isNotBlank());
    JsonNode root = JSON.readTree(r.body());
    assertThat(root.size()).as("only 'error' at the top: %s", r.body()).isEqualTo(1);
    JsonNode error = root.path("error");
    assertThat(error.path("message").isTextual()).as(r.body()).isTrue();
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").isTextual()).isTrue();
    assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
    assertThat(error.has("param")).as("param present, null when it names no field").isTrue();
    return error;
  }
}
