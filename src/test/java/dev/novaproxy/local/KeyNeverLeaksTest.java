package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The key must not appear in any response body, header or log line, whatever happens. */
class KeyNeverLeaksTest {
  private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
  private static final String STREAM =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

  @Test
  void should_not_leak_the_key_through_any_answer_or_log_line() {
    List<HttpResponse<String>> responses = new ArrayList<>();
    List<String> logs;
    try (RunningProxy proxy =
        RunningProxy.start(s -> s.withTotalTimeout(Duration.ofSeconds(2)).withLogContent(true))) {
      proxy.nova.enqueue(
          Reply.echo(),
          Reply.json(429, "{}", "Retry-After", "60"),
          Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"),
          Reply.reset(),
          Reply.text(200, "<html/>"),
          Reply.truncatedStream("a"),
          Reply.json(400, "{\"error\":{\"message\":\"bad\"}}"));
      for (int i = 0; i < 7; i++) {
        responses.add(proxy.post("/chat", i == 5 ? STREAM : HELLO));
      }
      responses.add(
          proxy.post("/chat", "{not json", "Authorization", "Bearer " + RunningProxy.KEY));
      responses.add(proxy.get("/v1/models"));
      responses.add(proxy.get("/health"));
      logs = List.copyOf(proxy.logLines);
    }
    assertThat(responses).hasSize(10);
    for (HttpResponse<String> r : responses) {
      assertThat(r.body()).doesNotContain(RunningProxy.KEY);
      r.headers()
          .map()
          .forEach(
              (name, values) ->
                  assertThat(values.toString()).as(name).doesNotContain(RunningProxy.KEY));
    }
    assertThat(logs)
        .hasSizeGreaterThanOrEqualTo(10)
        .allSatisfy(l -> assertThat(l).doesNotContain(RunningProxy.KEY));
  }

  @Test
  void should_take_the_key_out_of_upstream_answers_that_quote_the_authorization_header() {
    try (RunningProxy proxy = RunningProxy.start(s -> s.withLogContent(true))) {
      proxy.nova.enqueue(
          Reply.echoAuthorization(400),
          Reply.echoAuthorization(503),
          Reply.streamThenEchoAuthorization("Hel", "lo"));
      HttpResponse<String> relayed = proxy.post("/chat", HELLO);
      HttpResponse<String> failed = proxy.post("/chat", HELLO);
      HttpResponse<String> streamed = proxy.post("/chat", STREAM);

      // Nova's 400 is relayed, its 503 described, its error event passed on: each without the key.
      assertThat(relayed.statusCode()).isEqualTo(400);
      assertThat(relayed.body())
          .contains("\"authorization\":\"Bearer [redacted]\"")
          .contains("Authorization: Bearer [redacted]");
      assertThat(failed.statusCode()).isEqualTo(502);
      assertThat(failed.body()).contains("Authorization: Bearer [redacted]");
      assertThat(streamed.statusCode()).isEqualTo(200);
      assertThat(streamed.body()).contains("\"Hel\"").contains("Bearer [redacted]");
      for (HttpResponse<String> r : List.of(relayed, failed, streamed)) {
        assertThat(r.body()).doesNotContain(RunningProxy.KEY);
      }
      assertThat(proxy.logLines).allSatisfy(l -> assertThat(l).doesNotContain(RunningProxy.KEY));
      // The fake really was sent the key: the test would see it if the proxy relayed it.
      assertThat(proxy.nova.chatRequests())
          .allSatisfy(
              r ->
                  assertThat(r.headers().get("authorization"))
                      .isEqualTo("Bearer " + RunningProxy.KEY));
    }
  }

  @Test
  void should_refetch_the_key_once_when_nova_rejects_it() {
    AtomicInteger fetches = new AtomicInteger();
    SecretSource rotating =
        () -> fetches.incrementAndGet() == 1 ? "sk-old-rotated-away" : RunningProxy.KEY;
    try (RunningProxy proxy = RunningProxy.start(s -> s, rotating)) {
      HttpResponse<String> r = proxy.post("/chat", HELLO);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(fetches).hasValue(2);
      assertThat(proxy.nova.chatRequests()).hasSize(2);
      assertThat(proxy.post("/chat", HELLO).statusCode()).isEqualTo(200);
      assertThat(fetches).hasValue(2);
    }
  }

  @Test
  void should_name_the_fix_for_a_rejected_key_by_where_the_key_came_from() {
    String wrong = "sk-wrong-local-key-0c11";
    try (RunningProxy proxy =
        RunningProxy.start(
            s -> s, SecretSource.fixed(wrong, "set NOVA_API_KEY to a valid Nova API key"))) {
      HttpResponse<String> r = proxy.post("/chat", HELLO);
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body())
          .contains("Nova rejected the proxy's API key; set NOVA_API_KEY to a valid Nova API key.")
          .doesNotContain("setup")
          .doesNotContain(wrong);
    }
  }

  @Test
  void should_say_the_key_was_rejected_without_showing_it() {
    String wrong = "sk-wrong-key-that-must-not-show-7d2e";
    try (RunningProxy proxy = RunningProxy.start(s -> s, () -> wrong)) {
      HttpResponse<String> r = proxy.post("/chat", HELLO);
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).contains("upstream_key_rejected").doesNotContain(wrong);
      assertThat(proxy.logLines).allSatisfy(l -> assertThat(l).doesNotContain(wrong));
    }
  }
}
