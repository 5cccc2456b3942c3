package dev.novaproxy.chat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One conversation with the proxy: asks questions with everything said so far, and carries out the
 * slash commands. It knows nothing of terminals, so the REPL, one-shot mode and tests share it.
 */
public final class ChatSession {
  private final ChatClient client;
  private final Conversation conversation;
  private final ChatPrinter printer;
  private final boolean stream;
  private String model;

  /** The last question that failed or was stopped: what {@code /retry} asks again. */
  private Message unanswered;

  public ChatSession(
      ChatClient client,
      Conversation conversation,
      String model,
      boolean stream,
      ChatPrinter printer) {
    this.client = client;
    this.conversation = conversation;
    this.model = model;
    this.stream = stream;
    this.printer = printer;
  }

  /**
   * A session as the options ask: the transcript loaded, then the system prompt and model applied.
   */
  public static ChatSession open(ChatOptions options, ChatPrinter printer) {
    Conversation conversation = new Conversation(options.budgetChars());
    String model = options.model();
    if (options.load() != null) {
      Transcript.Saved saved = Transcript.load(options.load());
      conversation.replace(saved.messages());
      model = model != null ? model : saved.model();
    }
    if (options.system() != null) {
      conversation.system(options.system());
    }
    return new ChatSession(
        new ChatClient(options.endpoint(), options.timeout()),
        conversation,
        model,
        options.stream(),
        printer);
  }

  public Conversation conversation() {
    return conversation;
  }

  public String model() {
    return model;
  }

  public ChatEndpoint endpoint() {
    return client.endpoint();
  }

  /**
   * Asks one question with the conversation so far; the turn is kept only if it is answered.
   *
   * @throws ChatException when there is no answer; the conversation is then unchanged
   */
  public Answer ask(String text, boolean showText, Cancellation cancel) {
    return ask(Message.user(text), showText, cancel);
  }

  private Answer ask(Message question, boolean showText, Cancellation cancel) {
    int dropped = conversation.makeRoomFor(question);
    if (dropped > 0) {
      printer.notice(
          "(dropped the "
              + (dropped == 1 ? "oldest turn" : dropped + " oldest turns")
              + " to stay within "
              + conversation.budgetChars()
              + " characters; the system prompt is kept)");
    }
    try {
      Answer answer =
          client.complete(
              conversation.with(question),
              model,
              stream,
              showText ? printer::answer : t -> {},
              cancel);
      conversation.add(question, answer.message());
      unanswered = null;
      if ("length".equals(answer.finishReason())) {
        printer.endAnswer();
        printer.notice("(the answer reached its token limit and is cut short)");
      }
      return answer;
    } catch (ChatException e) {
      unanswered = question;
      throw e;
    } finally {
      printer.endAnswer();
    }
  }

  /**
   * Handles one line typed at the prompt: a slash command or a question. Errors are shown and the
   * session goes on.
   *
   * @return false when the user asked to leave
   */
  public boolean handle(String line, Cancellation cancel) {
    String input = line.strip();
    if (input.isEmpty()) {
      return true;
    }
    try {
      if (input.startsWith("//")) {
        ask(input.substring(1), true, cancel);
      } else if (input.startsWith("/")) {
        return command(input, cancel);
      } else {
        ask(line, true, cancel);
      }
    } catch (ChatException e) {
      if (e.kind() == ChatException.Kind.STOPPED) {
        printer.notice(
            input.startsWith("/") && !input.startsWith("//") && !input.startsWith("/retry")
                ? "(stopped)"
                : "(stopped; the question was not kept: /retry asks it again)");
      } else {
        printer.error(e.getMessage());
      }
    } catch (Transcript.TranscriptException e) {
      printer.error(e.getMessage());
    }
    return true;
  }

  private boolean command(String input, Cancellation cancel) {
    int space = input.indexOf(' ');
    String word = space < 0 ? input : input.substring(0, space);
    String arg = space < 0 ? "" : input.substring(space + 1).strip();
    Optional<SlashCommand> found = SlashCommand.find(word);
    if (found.isEmpty()) {
      printer.error(
          "Unknown command "
              + word
              + "; /help lists the commands. To send a line that starts with '/', type '//' first.");
      return true;
    }
    switch (found.get()) {
      case HELP -> help();
      case RESET -> {
        conversation.reset();
        unanswered = null;
        printer.notice(
            "(conversation cleared"
                + (conversation.system().isPresent() ? "; the system prompt stays)" : ")"));
      }
      case MODEL -> model(arg, cancel);
      case SYSTEM -> system(arg);
      case RETRY -> retry(cancel);
      case HISTORY -> history();
      case SAVE -> save(arg);
      case LOAD -> load(arg);
      case EXIT -> {
        return false;
      }
    }
    return true;
  }

  private void help() {
    printer.info(
        "Type a question and press Enter. End a line with \\ or press Alt-Enter (Esc Enter) to add a line;");
    printer.info("a paste keeps its newlines. Ctrl-C stops an answer, Ctrl-D leaves. Commands:");
    for (SlashCommand c : SlashCommand.values()) {
      printer.info(String.format("  %-15s %s", c.usage(), c.help()));
    }
  }

  private void model(String arg, Cancellation cancel) {
    if (!arg.isEmpty()) {
      model = arg;
      printer.notice("(model: " + model + ")");
      return;
    }
    List<String> ids = client.models(cancel);
    for (String id : ids) {
      printer.info((id.equals(model) ? "* " : "  ") + id);
    }
    printer.notice(
        "(model: " + (model == null ? "the proxy's default" : model) + "; /model ID to change)");
  }

  private void system(String arg) {
    if (arg.isEmpty()) {
      printer.info(conversation.system().map(s -> "system: " + s).orElse("(no system prompt)"));
    } else if (arg.equals("off")) {
      conversation.system(null);
      printer.notice("(system prompt removed)");
    } else {
      conversation.system(arg);
      printer.notice("(system prompt set)");
    }
  }

  private void retry(Cancellation cancel) {
    Optional<Message> question = Optional.ofNullable(unanswered).or(conversation::removeLastTurn);
    if (question.isEmpty()) {
      printer.error("Nothing to retry yet: ask a question first.");
      return;
    }
    ask(question.get(), true, cancel);
  }

  private void history() {
    List<Message> all = conversation.all();
    if (all.isEmpty()) {
      printer.info("(the conversation is empty)");
      return;
    }
    for (Message m : all) {
      printer.info(m.role() + ": " + m.text());
    }
    long turns = all.stream().filter(m -> m.role().equals("user")).count();
    printer.notice(
        "("
            + turns
            + (turns == 1 ? " turn, " : " turns, ")
            + conversation.size()
            + " of "
            + conversation.budgetChars()
            + " characters)");
  }

  /** Writes the transcript; also used for {@code --save} at the end of a session. */
  public void save(String arg) {
    if (arg.isEmpty()) {
      printer.error("/save needs a file name, e.g. /save chat.json");
      return;
    }
    Transcript.save(Path.of(arg), model, conversation.all());
    printer.notice("(saved " + conversation.all().size() + " messages to " + arg + ")");
  }

  private void load(String arg) {
    if (arg.isEmpty()) {
      printer.error("/load needs a file name, e.g. /load chat.json");
      return;
    }
    Transcript.Saved saved = Transcript.load(Path.of(arg));
    conversation.replace(saved.messages());
    unanswered = null;
    if (saved.model() != null) {
      model = saved.model();
    }
    printer.notice(
        "(loaded "
            + saved.messages().size()
            + " messages from "
            + arg
            + (saved.model() != null ? "; model: " + model : "")
            + ")");
  }

  /** A one-line description for the REPL's greeting. */
  public String describe() {
    long turns = conversation.turns().stream().filter(m -> m.role().equals("user")).count();
    return "Chatting with "
        + client.endpoint().url()
        + " (model: "
        + (model == null ? "the proxy's default" : model)
        + (turns > 0 ? "; " + turns + " earlier turns" : "")
        + "). /help for commands, Ctrl-D to leave.";
  }
}
