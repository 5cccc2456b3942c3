package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.testing.FakeNova.Recorded;
import dev.novaproxy.testing.FakeNova.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jline.terminal.Terminal.Signal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REPL with scripted keystrokes, through the real local proxy to a loopback upstream. */
class ChatReplTest {
  @TempDir Path dir;
  private ProxyUnderTest proxy;

  @BeforeEach
  void start() {
    proxy = ProxyUnderTest.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  private ReplDriver.Result repl(String keystrokes) throws IOException {
    return new ReplDriver(ReplDriver.options(proxy.url()), dir.resolve("history")).run(keystrokes);
  }

  private List<List<String>> sentMessages() {
    List<List<String>> all = new ArrayList<>();
    for (Recorded r : proxy.nova.chatRequests()) {
      List<String> one = new ArrayList<>();
      for (JsonNode m : r.json().path("messages")) {
        one.add(m.path("role").asText() + ":" + m.path("content").asText());
      }
      all.add(one);
    }
    return all;
  }

  @Test
  void should_send_every_earlier_turn_with_each_question() throws IOException {
    ReplDriver.Result r = repl("first\nsecond\nthird\n");
    assertThat(r.out()).contains("echo: first", "echo: second", "echo: third");
    assertThat(sentMessages())
        .containsExactly(
            List.of("user:first"),
            List.of("user:first", "assistant:echo: first", "user:second"),
            List.of(
                "user:first",
                "assistant:echo: first",
                "user:second",
                "assistant:echo: second",
                "user:third"));
    assertThat(proxy.nova.chatRequests())
        .allSatisfy(q -> assertThat(q.json().path("stream").asBoolean()).isTrue());
  }

  @Test
  void should_forget_the_conversation_on_reset() throws IOException {
    ReplDriver.Result r = repl("one\n/reset\ntwo\n");
    assertThat(sentMessages()).containsExactly(List.of("user:one"), List.of("user:two"));
    assertThat(r.err()).contains("conversation cleared");
  }

  @Test
  void should_send_the_system_prompt_first_and_keep_it_across_reset() throws IOException {
    ReplDriver.Result r =
        repl("/system You are terse.\nq1\n/reset\nq2\n/system\n/system off\nq3\n");
    assertThat(sentMessages())
        .containsExactly(
            List.of("system:You are terse.", "user:q1"),
            List.of("system:You are terse.", "user:q2"),
            List.of("user:q2", "assistant:echo: q2", "user:q3"));
    assertThat(r.out()).contains("system: You are terse.");
  }

  @Test
  void should_list_models_and_send_the_chosen_one() throws IOException {
    ReplDriver.Result r = repl("q1\n/model\n/model nova-2-pro-v1\nq2\n");
    assertThat(r.out()).contains("  nova-2-lite-v1", "  nova-2-pro-v1");
    assertThat(r.err()).contains("model: the proxy's default", "(model: nova-2-pro-v1)");
    List<Recorded> sent = proxy.nova.chatRequests();
    assertThat(sent.get(0).json().path("model").asText())
        .as("the proxy fills in its default")
        .isEqualTo("nova-2-lite-v1");
    assertThat(sent.get(1).json().path("model").asText()).isEqualTo("nova-2-pro-v1");
    assertThat(proxy.nova.requests()).anySatisfy(q -> assertThat(q.path()).endsWith("/models"));
  }

  @Test
  void should_round_trip_a_conversation_through_save_and_load() throws IOException {
    Path file = dir.resolve("talk.json");
    repl("/system Be kind.\n/model nova-2-pro-v1\nhello\nhow are you\n/save " + file + "\n");
    String saved = Files.readString(file);
    assertThat(saved)
        .contains("\"model\" : \"nova-2-pro-v1\"", "\"content\" : \"echo: how are you\"");
    proxy.nova.clear();

    ReplDriver.Result r = repl("/load " + file + "\n/history\nand now\n");

    assertThat(r.err()).contains("loaded 5 messages");
    assertThat(r.out()).contains("system: Be kind.", "user: hello", "assistant: echo: how are you");
    JsonNode sent = proxy.nova.chatRequests().get(0).json();
    assertThat(sent.path("model").asText()).isEqualTo("nova-2-pro-v1");
    assertThat(sentMessages().get(0))
        .containsExactly(
            "system:Be kind.",
            "user:hello",
            "assistant:echo: hello",
            "user:how are you",
            "assistant:echo: how are you",
            "user:and now");
  }

  @Test
  void should_stop_the_answer_on_ctrl_c_and_keep_the_session() throws IOException {
    // Six pieces 800 ms apart: the whole answer would take 4 s.
    proxy.nova.enqueue(
        Reply.stream(
            Duration.ofMillis(800), "slow ", "answer ", "that ", "goes ", "on ", "and on"));
    long start = System.nanoTime();
    ReplDriver.Result r =
        new ReplDriver(ReplDriver.options(proxy.url()), dir.resolve("history"))
            .run(
                "first\nsecond\n",
                (terminal, out) -> {
                  // Ctrl-C as soon as the first words are on the screen.
                  long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                  while (!out.toString(StandardCharsets.UTF_8).contains("slow")
                      && System.nanoTime() < end) {
                    sleep(5);
                  }
                  terminal.raise(Signal.INT);
                });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
    assertThat(r.out()).contains("slow").doesNotContain("and on").contains("echo: second");
    assertThat(r.err()).contains("stopped; the question was not kept");
    assertThat(sentMessages().get(1))
        .as("the stopped turn is not part of the conversation")
        .containsExactly("user:second");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void should_not_keep_a_failed_turn_and_ask_it_again_on_retry() throws IOException {
    proxy.nova.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
    ReplDriver.Result r = repl("hello\n/retry\nnext\n");
    assertThat(r.err()).contains("The proxy failed (502)");
    assertThat(sentMessages())
        .containsExactly(
            List.of("user:hello"),
            List.of("user:hello"),
            List.of("user:hello", "assistant:echo: hello", "user:next"));
  }

  @Test
  void should_show_the_proxys_rejection_and_go_on() throws IOException {
    proxy.close();
    Policy d = Policy.defaults();
    proxy =
        ProxyUnderTest.start(
            new Policy(d.defaultModel(), Set.of(d.defaultModel()), null, List.of(), d.limits()));
    ReplDriver.Result r = repl("/model no-such-model\nhi\n/model nova-2-lite-v1\nhi again\n");
    assertThat(r.err()).containsPattern("The proxy refused the request \\(4\\d\\d\\): .+");
    assertThat(r.out()).contains("echo: hi again");
    assertThat(sentMessages())
        .as("the refused request never reached Nova")
        .containsExactly(List.of("user:hi again"));
  }

  @Test
  void should_continue_a_line_that_ends_in_a_backslash_and_on_alt_enter() throws IOException {
    repl("line one\\\nline two\nA\u001b\rB\n");
    assertThat(sentMessages().get(0)).containsExactly("user:line one\nline two");
    assertThat(sentMessages().get(1).get(2)).isEqualTo("user:A\nB");
  }

  @Test
  void should_answer_unknown_commands_with_a_hint_and_send_double_slash_lines() throws IOException {
    ReplDriver.Result r = repl("/frobnicate\n//etc/hosts is a file\n/help\n");
    assertThat(r.err()).contains("Unknown command /frobnicate; /help lists the commands");
    assertThat(sentMessages()).containsExactly(List.of("user:/etc/hosts is a file"));
    assertThat(r.out())
        .contains("/save FILE", "/load FILE", "/retry", "/history", "Ctrl-C stops an answer");
  }

  @Test
  void should_keep_questions_with_quotes_and_bangs_as_typed_and_remember_them() throws IOException {
    repl("don't say \"hi\"! ^x\n/exit\nnever sent\n");
    assertThat(sentMessages()).containsExactly(List.of("user:don't say \"hi\"! ^x"));
    assertThat(Files.readString(dir.resolve("history"))).contains("don't say");
  }

  @Test
  void should_drop_the_oldest_turns_with_a_notice_when_over_budget() throws IOException {
    ChatOptions small =
        new ChatOptions(
            ChatEndpoint.parse(proxy.url()),
            null,
            "sys",
            true,
            null,
            null,
            1_000,
            Duration.ofSeconds(10),
            false);
    String big = "x".repeat(300);
    ReplDriver.Result r =
        new ReplDriver(small, dir.resolve("history")).run("a" + big + "\nb" + big + "\nc\n");
    assertThat(r.err()).contains("dropped the oldest turn", "system prompt is kept");
    List<String> last = sentMessages().get(2);
    assertThat(last.get(0)).isEqualTo("system:sys");
    assertThat(last).noneMatch(m -> m.startsWith("user:a"));
    assertThat(last.get(last.size() - 1)).isEqualTo("user:c");
  }

  @Test
  void should_never_show_the_key() throws IOException {
    ReplDriver.Result r = repl("hi\n/model\n");
    assertThat(r.out() + r.err()).doesNotContain(ProxyUnderTest.KEY);
    assertThat(proxy.nova.chatRequests().get(0).headers().get("authorization"))
        .isEqualTo("Bearer " + ProxyUnderTest.KEY);
  }
}
