package dev.novaproxy.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** The process's terminal: whether standard input is one, and the jline terminal on it. */
public final class Terminals {
  /**
   * True when standard input is a terminal. {@code System.console()} is not enough: on Java 17 it
   * is null as soon as standard output is redirected, and {@code novaproxy chat | tee log} is still
   * an interactive chat.
   */
  public static boolean stdinIsTerminal() {
    Path fd0 = Path.of("/proc/self/fd/0");
    try {
      String target = Files.readSymbolicLink(fd0).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      // No /proc (macOS, Windows): fall back to what the JDK knows.
      return System.console() != null;
    }
  }

  /** The terminal the REPL runs on; the caller closes it. */
  public static Terminal system() throws IOException {
    return TerminalBuilder.builder().name("novaproxy").system(true).build();
  }

  private Terminals() {}
}
