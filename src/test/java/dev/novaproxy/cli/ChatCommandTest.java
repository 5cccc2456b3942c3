package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code novaproxy chat} in its non-interactive modes, run through {@code Main.run} like a shell
 * would.
 */
class ChatCommandTest {
  private static final String KEY = "nova-cli-test-key-91be";

  @TempDir Path dir;
  private FakeNova nova;
  private LocalProxyServer proxy;
  private InputStream realIn;

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @BeforeEach
  void start() throws IOException {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
    nova = FakeNova.start().requireKey(KEY);
    proxy =
        LocalProxyServer.start(
            new ProxyHandler(
                ProxySettings.defaults().withUpstream(nova.baseUrl()),
                () -> KEY,
                AccessLog.discarding()),
            "127.0.0.1",
            0);
    realIn = System.in;
  }

  @AfterEach
  void stop() {
    System.setIn(realIn);
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    proxy.shutdown(Duration.ZERO);
    nova.close();
  }

  private Run run(String stdin, String... args) {
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    Run r =
        new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    assertThat(r.out() + r.err()).as("the key never shows").doesNotContain(KEY);
    return r;
  }

  private String url() {
    return proxy.baseUrl().toString();
  }

  @Test
  void should_answer_one_question_on_stdout_only_and_exit_0() {
    Run r = run("", "chat", "--url", url(), "-m", "ping");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("echo: ping\n");
    assertThat(r.err()).isEmpty();
    assertThat(nova.chatRequests().get(0).json().path("stream").asBoolean()).isTrue();
  }

  @Test
  void should_take_all_of_piped_stdin_as_one_question() {
    Run r = run("line one\nline two\n", "chat", "--url", url(), "--no-stream", "--system", "terse");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("echo: line one\nline two\n");
    var body = nova.chatRequests().get(0).json();
    assertThat(body.has("stream")).isFalse();
    assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("terse");
    assertThat(body.path("messages").get(1).path("content").asText())
        .isEqualTo("line one\nline two");
  }

  @Test
  void should_print_the_proxys_json_answer_with_o_json() throws IOException {
    Run r = run("", "chat", "--url", url(), "-m", "ping", "-o", "json", "--model", "nova-2-pro-v1");
    assertThat(r.code()).as(r.toString()).isZero();
    var json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("object").asText()).isEqualTo("chat.completion");
    assertThat(json.path("model").asText()).isEqualTo("nova-2-pro-v1");
    assertThat(json.path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("echo: ping");
    assertThat(nova.chatRequests().get(0).json().has("stream"))
        .as("JSON mode asks for a whole answer")
        .isFalse();
  }

  @Test
  void should_continue_a_saved_conversation_in_one_shot_mode() throws IOException {
    Path t = dir.resolve("t.json");
    assertThat(run("", "chat", "--url", url(), "-m", "first", "--save", t.toString()).code())
        .isZero();
    Run r =
        run(
            "",
            "chat",
            "--url",
            url(),
            "--load",
            t.toString(),
            "-m",
            "second",
            "--save",
            t.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    var sent = nova.chatRequests().get(1).json().path("messages");
    assertThat(sent).hasSize(3);
    assertThat(sent.get(1).path("content").asText()).isEqualTo("echo: first");
    assertThat(new ObjectMapper().readTree(t.toFile()).path("messages")).hasSize(4);
    assertThat(r.err()).contains("saved 4 messages");
  }

  @Test
  void should_use_the_deployed_url_from_the_config_file() {
    new ConfigFile(dir.resolve("config.json")).update(c -> c.put(ConfigFile.URL, url() + "/chat"));
    Run r = run("", "chat", "-m", "via config");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("echo: via config\n");
  }

  @Test
  void should_exit_4_naming_the_url_when_the_proxy_is_unreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = run("", "chat", "--url", "http://127.0.0.1:" + port, "-m", "ping");
    assertThat(r.code()).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith(
            "novaproxy: Cannot reach the proxy at http://127.0.0.1:"
                + port
                + ": connection refused.")
        .contains("novaproxy serve", "novaproxy status");
  }

  @Test
  void should_exit_1_with_the_proxys_message_for_a_4xx() {
    nova.enqueue(
        Reply.json(
            400,
            "{\"error\":{\"message\":\"Input is too long for the model.\",\"type\":\"invalid_request_error\",\"code\":\"context_length\",\"param\":\"messages\"}}"));
    Run r = run("", "chat", "--url", url(), "-m", "ping");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .isEqualTo(
            "novaproxy: The proxy refused the request (400): Input is too long for the model.\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void should_exit_1_saying_when_to_retry_on_429() {
    nova.enqueue(
        Reply.json(
            429,
            "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}",
            "Retry-After",
            "30"),
        Reply.json(
            429,
            "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}",
            "Retry-After",
            "30"),
        Reply.json(
            429,
            "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}",
            "Retry-After",
            "30"));
    Run r = run("", "chat", "--url", url(), "-m", "ping");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.FAILURE);
    // The proxy's message says when; the chat does not say it a second time.
    assertThat(r.err())
        .isEqualTo(
            "novaproxy: Rate limited (429): Nova is rate limiting requests; retry after 30 s.\n");
  }

  @Test
  void should_exit_4_when_the_proxy_fails_upstream() {
    nova.enqueue(
        Reply.text(500, "<html>oops</html>"),
        Reply.text(500, "<html>oops</html>"),
        Reply.text(500, "<html>oops</html>"));
    Run r = run("", "chat", "--url", url(), "-m", "ping");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(r.err()).startsWith("novaproxy: The proxy failed (50");
  }

  @Test
  void should_exit_2_on_usage_mistakes_with_one_line_naming_the_fix() {
    Run badUrl = run("", "chat", "--url", "localhost:8080", "-m", "x");
    assertThat(badUrl.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badUrl.err())
        .contains("--url takes the proxy's base URL such as http://127.0.0.1:8080");

    Run empty = run("  \n", "chat", "--url", url());
    assertThat(empty.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(empty.err())
        .contains("Standard input is empty: pipe a question in, or ask with -m TEXT.");

    Run upstream =
        run("", "chat", "--url", url(), "--upstream-url", "http://127.0.0.1:1/v1", "-m", "x");
    assertThat(upstream.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(upstream.err()).contains("--upstream-url only applies with --local");

    Run blank = run("", "chat", "--url", url(), "-m", " ");
    assertThat(blank.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(blank.err()).contains("-m needs a question");

    Run both = run("", "chat", "--local", "--url", url(), "-m", "x");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);

    Run budget = run("", "chat", "--url", url(), "--context-chars", "10", "-m", "x");
    assertThat(budget.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(budget.err()).contains("--context-chars must be at least 1000");
    assertThat(nova.chatRequests()).as("no usage mistake reaches Nova").isEmpty();
  }

  @Test
  void should_exit_1_naming_the_file_when_a_transcript_is_missing() {
    Run r =
        run("", "chat", "--url", url(), "--load", dir.resolve("nope.json").toString(), "-m", "x");
    assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("No transcript at").contains("nope.json");
  }

  @Test
  void should_not_save_a_failed_turn() throws IOException {
    Path t = dir.resolve("t.json");
    nova.enqueue(Reply.json(400, "{\"error\":{\"message\":\"no\"}}"));
    assertThat(run("", "chat", "--url", url(), "-m", "bad", "--save", t.toString()).code())
        .isEqualTo(1);
    assertThat(Files.exists(t)).isFalse();
  }

  @Test
  void should_stream_through_the_deployments_stream_url_and_buffer_through_its_api_url()
      throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    // What deploy saves: the API URL (here nothing listens) and the stream URL beside it.
    Files.writeString(
        dir.resolve("config.json"),
        "{\"url\":\"http://127.0.0.1:"
            + dead
            + "/chat\",\"streamUrl\":\""
            + proxy.baseUrl()
            + "/chat\"}");
    Run streamed = run("", "chat", "-m", "hello");
    assertThat(streamed.code()).as("%s", streamed).isZero();
    assertThat(nova.chatRequests()).hasSize(1);

    Run buffered = run("", "chat", "-m", "hello", "--no-stream");
    assertThat(buffered.code()).as("%s", buffered).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(buffered.err()).contains(String.valueOf(dead));

    // A URL the user names is used as given.
    Run named = run("", "chat", "-m", "hello", "--url", "http://127.0.0.1:" + dead + "/x/chat");
    assertThat(named.code()).isEqualTo(ExitCodes.UNHEALTHY);
  }
}
