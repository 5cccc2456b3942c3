package dev.novaproxy.cli;

import dev.novaproxy.chat.ChatEndpoint;
import dev.novaproxy.chat.ChatOptions;
import dev.novaproxy.chat.ChatPrinter;
import dev.novaproxy.chat.ChatRepl;
import dev.novaproxy.chat.ChatSession;
import dev.novaproxy.chat.Conversation;
import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;

/**
 * The build's training run for the class-data sharing archive ({@code dist/lib/novaproxy.jsa}): it
 * walks the paths a short command takes (picocli's model and help, the chat client against the
 * local proxy, the REPL's line reader) so that the JVM records those classes once, at build time,
 * and maps them at every start instead of loading them. Not a command; output goes nowhere.
 */
public final class CdsTraining {
  public static void main(String[] args) {
    try {
      train();
    } catch (Exception | LinkageError e) {
      // A partial training still gives a useful archive; the build must not fail over it.
      System.err.println("novaproxy CDS training stopped early: " + e);
    }
    System.exit(0);
  }

  private static void train() throws Exception {
    PrintStream sink =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Path dir = Files.createTempDirectory("novaproxy-cds");
    System.setProperty("novaproxy.config", dir.resolve("config.json").toString());
    Main.run(sink, sink, "--help");
    Main.run(sink, sink, "chat", "--help");
    // Nothing listens on port 1: the proxy answers 502, which is enough to load both sides.
    ProxySettings settings =
        ProxySettings.defaults().withUpstream(URI.create("http://127.0.0.1:1/v1"));
    try (LocalProxyServer proxy =
        LocalProxyServer.start(
            new ProxyHandler(settings, () -> "training", AccessLog.discarding()), "127.0.0.1", 0)) {
      String url = proxy.baseUrl().toString();
      Main.run(sink, sink, "chat", "--url", url, "-m", "warm up");
      Main.run(sink, sink, "chat", "--url", url, "-m", "warm up", "-o", "json");
      repl(url, dir);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void repl(String url, Path dir) throws Exception {
    ChatOptions options =
        new ChatOptions(
            ChatEndpoint.parse(url),
            null,
            "training",
            true,
            null,
            null,
            Conversation.DEFAULT_BUDGET_CHARS,
            Duration.ofSeconds(5),
            true);
    byte[] keys = "/help\nwarm up\n/history\n".getBytes(StandardCharsets.UTF_8);
    try (Terminal terminal =
        new DumbTerminal(
            "cds",
            "xterm-256color",
            new ByteArrayInputStream(keys),
            OutputStream.nullOutputStream(),
            StandardCharsets.UTF_8)) {
      PrintWriter err = new PrintWriter(OutputStream.nullOutputStream());
      ChatPrinter printer = new ChatPrinter(terminal.writer(), err, true);
      new ChatRepl(
              terminal, ChatSession.open(options, printer), printer, dir.resolve("history"), true)
          .run();
    }
  }

  private CdsTraining() {}
}
