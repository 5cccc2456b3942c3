package dev.novaproxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** A command line parsed as the CLI parses it: the innermost command, with its flags set. */
final class ParsedCommand {
  private ParsedCommand() {}

  /** Parses with this environment and returns the command object picocli filled in. */
  @SuppressWarnings("unchecked")
  static <T> T of(Map<String, String> env, String... args) {
    var sink = new PrintWriter(new StringWriter());
    CommandLine.ParseResult result = Main.commandLine(sink, sink, env).parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return (T) result.commandSpec().userObject();
  }

  static <T> T of(String... args) {
    return of(Map.of(), args);
  }
}
