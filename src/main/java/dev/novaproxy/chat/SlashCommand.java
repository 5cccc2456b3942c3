package dev.novaproxy.chat;

import java.util.Arrays;
import java.util.Optional;

/** The REPL's commands, with the help line each shows in {@code /help}. */
public enum SlashCommand {
  HELP("/help", "", "show this help"),
  RESET("/reset", "", "forget the conversation (the system prompt stays)"),
  MODEL("/model", "[ID]", "use model ID; without ID, list the proxy's models"),
  SYSTEM(
      "/system",
      "[TEXT]",
      "set the system prompt; without TEXT, show it; '/system off' removes it"),
  RETRY("/retry", "", "ask the last question again (after an error, a stop, or for a new answer)"),
  HISTORY("/history", "", "show the conversation that is sent with each question"),
  SAVE("/save", "FILE", "write the conversation to FILE (OpenAI messages JSON)"),
  LOAD("/load", "FILE", "replace the conversation with the one in FILE"),
  EXIT("/exit", "", "leave (Ctrl-D does too)");

  private final String word;
  private final String args;
  private final String help;

  SlashCommand(String word, String args, String help) {
    this.word = word;
    this.args = args;
    this.help = help;
  }

  public String word() {
    return word;
  }

  public String usage() {
    return args.isEmpty() ? word : word + " " + args;
  }

  public String help() {
    return help;
  }

  public static Optional<SlashCommand> find(String word) {
    String w = word.equals("/quit") ? "/exit" : word;
    return Arrays.stream(values()).filter(c -> c.word.equals(w)).findFirst();
  }
}
