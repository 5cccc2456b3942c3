package dev.novaproxy.chat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;

/**
 * Runs the REPL on jline's dumb terminal with scripted keystrokes, the way a user at a terminal
 * would drive it, and captures what it writes to the terminal (stdout) and to stderr.
 */
final class ReplDriver {
  record Result(String out, String err, ChatSession session) {}

  private final ChatOptions options;
  private final Path history;

  ReplDriver(ChatOptions options, Path history) {
    this.options = options;
    this.history = history;
  }

  static ChatOptions options(String url) {
    return new ChatOptions(
        ChatEndpoint.parse(url),
        null,
        null,
        true,
        null,
        null,
        Conversation.DEFAULT_BUDGET_CHARS,
        Duration.ofSeconds(10),
        false);
  }

  Result run(String keystrokes) throws IOException {
    return run(keystrokes, (terminal, out) -> {});
  }

  /** Runs to the end of the keystrokes; {@code alongside} runs on another thread meanwhile. */
  Result run(String keystrokes, BiConsumer<Terminal, ByteArrayOutputStream> alongside)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try (Terminal terminal =
        new DumbTerminal(
            "test",
            Terminal.TYPE_DUMB,
            new ByteArrayInputStream(keystrokes.getBytes(StandardCharsets.UTF_8)),
            out,
            StandardCharsets.UTF_8)) {
      ChatPrinter printer = new ChatPrinter(terminal.writer(), new PrintWriter(err, true), false);
      ChatSession session = ChatSession.open(options, printer);
      Thread helper = new Thread(() -> alongside.accept(terminal, out), "repl-test-helper");
      helper.setDaemon(true);
      helper.start();
      new ChatRepl(terminal, session, printer, history, false).run();
      terminal.flush();
      return new Result(out.toString(StandardCharsets.UTF_8), err.toString(), session);
    }
  }
}
