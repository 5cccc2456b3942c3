package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.IsolatedEnvironment;
import dev.novaproxy.testing.TerminalScreen;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built launcher, {@code dist/novaproxy chat --local}, the README's first command, on a real
 * pseudo-terminal ({@code script} allocates it): the key from NOVA_API_KEY, the proxy in the same
 * process, a loopback upstream, and Ctrl-C sent as the terminal sends it (a SIGINT from the line
 * discipline), not as a method call.
 */
class ChatTerminalIT {
  private static final String KEY = "nova-it-key-5d21e0";

  @TempDir Path dir;
  private FakeNova nova;
  private Process process;

  @BeforeEach
  void start() {
    nova = FakeNova.start().requireKey(KEY);
  }

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
    nova.close();
  }

  private static Path launcher() {
    Path p = Path.of(System.getProperty("novaproxy.dist", "dist"), "novaproxy");
    assumeTrue(Files.isExecutable(p), "build first: mvn package");
    return p;
  }

  @Test
  void should_chat_locally_on_a_real_terminal_and_stop_an_answer_on_ctrl_c() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/script")),
        "needs util-linux script for a pseudo-terminal");
    String command =
        "stty cols 100 rows 30; exec "
            + launcher().toAbsolutePath()
            + " chat --local --upstream-url "
            + nova.baseUrl()
            + " --save "
            + dir.resolve("talk.json");
    ProcessBuilder pb =
        IsolatedEnvironment.apply(
            new ProcessBuilder("/usr/bin/script", "-qfec", command, "/dev/null"),
            dir.resolve("home"));
    Map<String, String> env = pb.environment();
    env.put("NOVA_API_KEY", KEY);
    env.put("XDG_STATE_HOME", dir.resolve("state").toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    env.put("NO_COLOR", "1");
    pb.redirectErrorStream(true);
    process = pb.start();
    TerminalScreen screen = new TerminalScreen(process.getInputStream());
    OutputStream keys = process.getOutputStream();

    screen.await("you> ", 1);
    type(keys, "hello from a tty\r");
    screen.await("echo: hello from a tty", 1);
    screen.await("you> ", 2);

    nova.enqueue(
        Reply.stream(
            Duration.ofMillis(700), "tick ", "tock ", "tick ", "tock ", "tick ", "never shown"));
    type(keys, "count\r");
    screen.await("tick", 1);
    type(keys, "\u0003");
    screen.await("stopped; the question was not kept", 1);
    screen.await("you> ", 3);

    type(keys, "still here\r");
    screen.await("echo: still here", 1);
    screen.await("you> ", 4);
    // A paste arrives between the terminal's bracketed-paste markers and keeps its newline and its
    // backslashes; a backslash typed at the end of a line continues the question.
    type(keys, "\u001b[200~pasted one \\\npasted two\u001b[201~ and\\\rtyped\r");
    screen.await("pasted two", 2);
    screen.await("you> ", 5);
    type(keys, "/exit\r");
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as(screen.text()).isTrue();

    assertThat(process.exitValue()).as(screen.text()).isZero();
    assertThat(screen.text()).doesNotContain("never shown").doesNotContain(KEY);
    assertThat(screen.text())
        .as("NO_COLOR is honoured")
        .doesNotContain("\u001b[32;1m", "\u001b[2m", "\u001b[31m");
    assertThat(Files.readString(dir.resolve("talk.json")))
        .as("--save writes the conversation when the chat ends")
        .contains("\"content\" : \"still here\"")
        .doesNotContain("count");
    List<FakeNova.Recorded> sent = nova.chatRequests();
    assertThat(sent).hasSize(4);
    assertThat(sent.get(2).json().path("messages").toString())
        .contains("hello from a tty")
        .doesNotContain("count")
        .contains("still here");
    var last = sent.get(3).json().path("messages");
    assertThat(last.get(last.size() - 1).path("content").asText())
        .isEqualTo("pasted one \\\npasted two and\ntyped");
    assertThat(Files.readString(dir.resolve("state/novaproxy/chat_history")))
        .contains("hello from a tty");
  }

  @Test
  void should_answer_the_readmes_first_command_one_shot_with_the_key_only_in_the_environment()
      throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            launcher().toString(),
            "chat",
            "--local",
            "--upstream-url",
            nova.baseUrl().toString(),
            "-m",
            "ping");
    IsolatedEnvironment.apply(pb, dir.resolve("home"));
    pb.environment().put("NOVA_API_KEY", KEY);
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // The answer waits, so the JVM is still running, with its final argv, when Nova has the
    // request.
    nova.enqueue(Reply.slow(Duration.ofSeconds(3)));
    process = pb.start();
    nova.awaitChatRequests(1, Duration.ofSeconds(30));
    assertThat(arguments(process))
        .as("the JVM's own argv, with the arguments given")
        .contains("-jar", "--local", "ping")
        .noneMatch(a -> a.contains(KEY));
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    assertThat(out).isEqualTo("echo: ping\n");
    assertThat(out + err).doesNotContain(KEY);
    assertThat(nova.chatRequests().get(0).headers().get("authorization"))
        .isEqualTo("Bearer " + KEY);
  }

  @Test
  void should_point_at_nova_api_key_not_setup_when_nova_rejects_the_local_key() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            launcher().toString(),
            "chat",
            "--local",
            "--upstream-url",
            nova.baseUrl().toString(),
            "-m",
            "ping");
    pb.environment().put("NOVA_API_KEY", "sk-wrong-local-key-5e0d");
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isNotZero();
    assertThat(err.strip())
        .isEqualTo(
            "novaproxy: The proxy failed (502): Nova rejected the proxy's API key; set"
                + " NOVA_API_KEY to a valid Nova API key.");
  }

  @Test
  void should_exit_2_naming_the_fix_when_local_has_no_key_and_no_terminal() throws Exception {
    ProcessBuilder pb =
        IsolatedEnvironment.apply(
            new ProcessBuilder(launcher().toString(), "chat", "--local", "-m", "ping"),
            dir.resolve("home"));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(err.strip())
        .isEqualTo("novaproxy: No terminal to ask for the key on; set NOVA_API_KEY.");
    assertThat(nova.requests()).isEmpty();
  }

  /**
   * A live process's arguments as anyone on the machine can read them (what {@code ps} shows): on
   * Linux from /proc/PID/cmdline, elsewhere from the JDK. Unreadable or empty arguments fail the
   * test: a check for the key in them must not pass because there was nothing to check.
   */
  private static List<String> arguments(Process p) throws IOException {
    assertThat(p.isAlive()).as("the process is still running").isTrue();
    if (System.getProperty("os.name").startsWith("Linux")) {
      Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
      assertThat(cmdline).as("Linux shows every process's argv").isReadable();
      byte[] argv = Files.readAllBytes(cmdline);
      assertThat(argv).as("%s of a running process", cmdline).isNotEmpty();
      return List.of(new String(argv, StandardCharsets.UTF_8).split("\0"));
    }
    List<String> args = p.info().arguments().map(List::of).orElse(List.of());
    assertThat(args).as("the JDK cannot read the process's arguments here").isNotEmpty();
    return args;
  }

  private static void type(OutputStream keys, String s) throws IOException {
    keys.write(s.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }
}
