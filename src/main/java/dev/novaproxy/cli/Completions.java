package dev.novaproxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The shell completion scripts, generated from the command model so that they list every command
 * and option there is. The build writes them to {@code completions/}; {@code novaproxy completion}
 * prints them.
 */
public final class Completions {
  public static String bash() {
    return AutoComplete.bash("novaproxy", model());
  }

  /** A native zsh function ({@code _novaproxy}, see {@link ZshCompletion}). */
  public static String zsh() {
    return ZshCompletion.script(model());
  }

  private static CommandLine model() {
    var sink = new PrintWriter(new StringWriter());
    // An empty environment: the script must not depend on who generated it.
    return Main.commandLine(sink, sink, Map.of());
  }

  private Completions() {}
}
