package dev.novaproxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.AutoComplete;

/**
 * The shell completion scripts, generated from the command model so that they list every command
 * and option there is. The build writes them to {@code completions/}; {@code novaproxy completion}
 * prints them.
 */
public final class Completions {
  /**
   * zsh runs picocli's bash script through bashcompinit (the script loads it when it finds zsh); so
   * the file is sourced, not put on fpath.
   */
  private static final String ZSH_PREAMBLE =
      """
      # zsh completion for novaproxy: picocli's bash script, which turns on bashcompinit in zsh.
      # Install: source this file from ~/.zshrc, or add: eval "$(novaproxy completion zsh)"

      """;

  public static String bash() {
    var sink = new PrintWriter(new StringWriter());
    // An empty environment: the script must not depend on who generated it.
    return AutoComplete.bash("novaproxy", Main.commandLine(sink, sink, Map.of()));
  }

  public static String zsh() {
    return ZSH_PREAMBLE + bash();
  }

  private Completions() {}
}
