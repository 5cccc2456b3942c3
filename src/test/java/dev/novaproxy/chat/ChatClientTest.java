package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.chat.ChatException.Kind;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real loopback server speaking the proxy's wire format. */
class ChatClientTest {
  private FakeNova nova;
  private ChatClient client;

  @BeforeEach
  void start() {
    nova = FakeNova.start();
    client = new ChatClient(ChatEndpoint.parse(nova.baseUrl().toString()), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    nova.close();
  }

  private Answer ask(boolean stream, List<String> pieces) {
    return client.complete(
        List.of(Message.user("hello world")), null, stream, pieces::add, new Cancellation());
  }

  @Test
  void should_stream_the_answer_piece_by_piece() {
    nova.enqueue(Reply.stream(Duration.ZERO, "Hel", "lo", " there"));
    List<String> pieces = new ArrayList<>();
    Answer a = ask(true, pieces);
    assertThat(pieces).containsExactly("Hel", "lo", " there");
    assertThat(a.text()).isEqualTo("Hello there");
    assertThat(a.finishReason()).isEqualTo("stop");
    var body = nova.chatRequests().get(0).json();
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.has("model"))
        .as("the proxy's default model is used when none is chosen")
        .isFalse();
    assertThat(nova.chatRequests().get(0).path()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void should_read_a_whole_answer_and_keep_its_json() {
    List<String> pieces = new ArrayList<>();
    Answer a =
        client.complete(
            List.of(Message.user("hi")), "nova-2-pro-v1", false, pieces::add, new Cancellation());
    assertThat(pieces).containsExactly("echo: hi");
    assertThat(a.json().path("object").asText()).isEqualTo("chat.completion");
    var body = nova.chatRequests().get(0).json();
    assertThat(body.has("stream")).isFalse();
    assertThat(body.path("model").asText()).isEqualTo("nova-2-pro-v1");
  }

  @Test
  void should_show_the_proxys_own_message_for_a_4xx() {
    nova.enqueue(
        Reply.json(
            400,
            "{\"error\":{\"message\":\"max_tokens must be positive.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_value\",\"param\":\"max_tokens\"}}"));
    assertThatThrownBy(() -> ask(true, new ArrayList<>()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.REJECTED))
        .hasMessage("The proxy refused the request (400): max_tokens must be positive.");
  }

  @Test
  void should_say_when_to_retry_on_429() {
    nova.enqueue(
        Reply.json(
            429,
            "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}",
            "Retry-After",
            "7"));
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED))
        .hasMessageContaining("Rate limited (429): Too many requests")
        .hasMessageContaining("retry in 7 s");
    nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"Slow down\"}}"));
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .hasMessageContaining("wait a little and retry");
  }

  @Test
  void should_say_when_to_retry_once_only() {
    nova.enqueue(
        Reply.json(
            429,
            "{\"error\":{\"message\":\"Nova is rate limiting requests; retry after 3 s.\"}}",
            "Retry-After",
            "3"),
        // API Gateway's throttling answer has its own shape.
        Reply.json(429, "{\"message\":\"Too Many Requests\"}", "Retry-After", "1"));
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .hasMessage("Rate limited (429): Nova is rate limiting requests; retry after 3 s.");
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .hasMessage("Rate limited (429): Too Many Requests; retry in 1 s.");
  }

  @Test
  void should_report_5xx_non_json_and_cut_off_streams_as_proxy_failures() {
    nova.enqueue(
        Reply.json(
            502, "{\"error\":{\"message\":\"Nova did not answer.\",\"type\":\"upstream_error\"}}"));
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROXY_FAILED))
        .hasMessage("The proxy failed (502): Nova did not answer.");
    nova.enqueue(Reply.text(200, "<html>login</html>"));
    assertThatThrownBy(() -> ask(false, new ArrayList<>()))
        .hasMessageContaining("is not JSON; is the URL right?");
    List<String> pieces = new ArrayList<>();
    nova.enqueue(Reply.truncatedStream("par", "tial"));
    assertThatThrownBy(() -> ask(true, pieces))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROXY_FAILED))
        .hasMessageContaining("cut off before its end");
  }

  @Test
  void should_name_the_url_and_the_fix_when_nothing_listens() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ChatClient dead =
        new ChatClient(ChatEndpoint.parse("http://127.0.0.1:" + port), Duration.ofSeconds(5));
    assertThatThrownBy(
            () ->
                dead.complete(List.of(Message.user("x")), null, true, t -> {}, new Cancellation()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessageContaining("http://127.0.0.1:" + port)
        .hasMessageContaining("novaproxy serve")
        .hasMessageContaining("novaproxy status");
  }

  @Test
  void should_time_out_naming_the_wait() {
    ChatClient impatient =
        new ChatClient(ChatEndpoint.parse(nova.baseUrl().toString()), Duration.ofMillis(300));
    nova.enqueue(Reply.slow(Duration.ofSeconds(2)));
    assertThatThrownBy(
            () ->
                impatient.complete(
                    List.of(Message.user("x")), null, false, t -> {}, new Cancellation()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessageContaining("no answer within");
  }

  @Test
  void should_report_a_reset_connection_as_unreachable() {
    nova.enqueue(Reply.reset());
    assertThatThrownBy(() -> ask(true, new ArrayList<>()))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE));
  }

  @Test
  void should_stop_a_stream_when_cancelled_from_another_thread() throws Exception {
    // Five pieces 800 ms apart: the whole answer would take 3.2 s.
    nova.enqueue(Reply.stream(Duration.ofMillis(800), "one ", "two ", "three ", "four ", "five"));
    Cancellation cancel = Cancellation.forCurrentThread();
    List<String> pieces = new ArrayList<>();
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                client.complete(
                    List.of(Message.user("x")),
                    null,
                    true,
                    t -> {
                      pieces.add(t);
                      if (pieces.size() == 1) {
                        new Thread(cancel::cancel).start();
                      }
                    },
                    cancel))
        .isInstanceOfSatisfying(
            ChatException.class, e -> assertThat(e.kind()).isEqualTo(Kind.STOPPED));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    assertThat(pieces).hasSizeLessThan(3);
    assertThat(Thread.currentThread().isInterrupted())
        .as("the interrupt is cleared after a stop")
        .isFalse();
  }

  @Test
  void should_list_the_models() {
    nova.models(List.of("nova-2-lite-v1", "nova-2-pro-v1"));
    assertThat(client.models(new Cancellation()))
        .containsExactly("nova-2-lite-v1", "nova-2-pro-v1");
    assertThat(nova.requests().get(0).path()).isEqualTo("/v1/models");
  }
}
