package dev.novaproxy.cli;

import dev.novaproxy.chat.ChatEndpoint;
import dev.novaproxy.chat.ChatException;
import dev.novaproxy.chat.ChatOptions;
import dev.novaproxy.chat.ChatPrinter;
import dev.novaproxy.chat.ChatRepl;
import dev.novaproxy.chat.ChatSession;
import dev.novaproxy.chat.Conversation;
import dev.novaproxy.chat.HistoryFile;
import dev.novaproxy.chat.OneShot;
import dev.novaproxy.chat.Terminals;
import dev.novaproxy.chat.Transcript;
import dev.novaproxy.config.ConfigFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    header = "Chat with the proxy, interactively or one question at a time.",
    sortOptions = false,
    description = {
      "Talk to the proxy: an interactive multi-turn chat, or one question with -m (or piped in).",
      "Answers go to standard output, notices to standard error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy chat                        the REPL; /help lists its commands",
      "  novaproxy chat --local                start the proxy in this process, chat",
      "  novaproxy chat -m \"ping\"              one question: a smoke check for CI",
      "  git diff | novaproxy chat --system \"Review this diff.\"",
      "                                        piped input is one question"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Answered (or the REPL ended normally).",
      "1:The proxy refused the question (4xx, 429), or a transcript file failed.",
      "2:Usage error: a bad option, an empty question.",
      "4:The proxy is unreachable or failing (no connection, timeout, 5xx, not a chat answer)."
    })
public final class ChatCommand implements Callable<Integer> {
  static {
    ErrorHandler.register(ChatCommand::translate);
  }

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The proxy: its base URL ("
              + ChatEndpoint.DEFAULT_URL
              + ") or the deployed URL ending in /chat. "
              + "Default: the URL 'deploy' saved, else "
              + ChatEndpoint.DEFAULT_URL
              + ".")
  String url;

  @Option(
      names = "--local",
      description =
          "Start the proxy in this process on a free loopback port and chat with it. "
              + "The key comes from NOVA_API_KEY, else a hidden prompt.")
  boolean local;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description =
          "With --local: the Nova API base URL (default: https://api.nova.amazon.com/v1).")
  String upstreamUrl;

  @Option(
      names = "--model",
      paramLabel = "ID",
      description = "The model to ask (default: the proxy's default).")
  String model;

  @Option(
      names = "--system",
      paramLabel = "TEXT",
      description = "A system prompt sent first with every question.")
  String system;

  @Option(
      names = {"-m", "--message"},
      paramLabel = "TEXT",
      description = "Ask one question, print the answer and exit.")
  String message;

  @Option(names = "--no-stream", description = "Ask for whole answers instead of streamed ones.")
  boolean noStream;

  @Option(
      names = "--load",
      paramLabel = "FILE",
      description = "Start from the conversation saved in FILE.")
  Path load;

  @Option(
      names = "--save",
      paramLabel = "FILE",
      description = "Write the conversation to FILE at the end (OpenAI messages JSON).")
  Path save;

  @Option(
      names = "--context-chars",
      paramLabel = "N",
      description =
          "The most characters of conversation sent with a question; older turns are dropped first "
              + "(default: "
              + Conversation.DEFAULT_BUDGET_CHARS
              + ").")
  int contextChars = Conversation.DEFAULT_BUDGET_CHARS;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long to wait for an answer (default: 120).")
  int timeoutSeconds = 120;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (message != null && message.isBlank()) {
      throw CliException.usage("-m needs a question, e.g. -m \"ping\".");
    }
    boolean interactive = message == null && Terminals.stdinIsTerminal();
    if (global.json() && interactive) {
      throw CliException.usage(
          "-o json prints one answer: use it with -m TEXT or with a question piped in.");
    }
    String question = interactive || message != null ? message : readStdin(System.in);
    try (LocalProxy proxy = local ? LocalProxy.start(upstreamUrl, global.verbose, err) : null) {
      ChatOptions options = options(proxy, interactive);
      if (!interactive) {
        ChatPrinter printer = new ChatPrinter(out, err, false);
        ChatSession session = ChatSession.open(options, printer);
        OneShot.ask(session, question, global.json(), printer);
        saveIfAsked(session);
        return ExitCodes.OK;
      }
      try (Terminal terminal = Terminals.system()) {
        boolean color =
            !global.noColor && !Main.noColor() && !Terminal.TYPE_DUMB.equals(terminal.getType());
        ChatPrinter printer = new ChatPrinter(terminal.writer(), err, color);
        ChatSession session = ChatSession.open(options, printer);
        new ChatRepl(terminal, session, printer, HistoryFile.forCurrentUser(), color).run();
        saveIfAsked(session);
      }
      return ExitCodes.OK;
    }
  }

  private ChatOptions options(LocalProxy proxy, boolean interactive) {
    if (proxy != null && spec.commandLine().getParseResult().hasMatchedOption("--url")) {
      throw CliException.usage(
          "--local starts its own proxy; drop --url, or drop --local to use " + url + ".");
    }
    if (upstreamUrl != null && proxy == null) {
      throw CliException.usage(
          "--upstream-url only applies with --local; for 'serve' pass it there.");
    }
    if (contextChars < 1000) {
      throw CliException.usage("--context-chars must be at least 1000.");
    }
    if (timeoutSeconds < 1) {
      throw CliException.usage("--timeout must be at least 1 second.");
    }
    boolean stream = !noStream && !global.json();
    ChatEndpoint endpoint;
    try {
      endpoint =
          ChatEndpoint.parse(
              proxy != null
                  ? proxy.baseUrl()
                  : url != null
                      ? streamingDoor(url, typed("--url"), stream)
                      : ChatEndpoint.DEFAULT_URL);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    boolean blankModel = model != null && model.isBlank();
    if (blankModel || (system != null && system.isBlank())) {
      throw CliException.usage(
          (blankModel ? "--model" : "--system") + " needs a value; leave it out for the default.");
    }
    return new ChatOptions(
        endpoint,
        model,
        system,
        stream,
        save,
        load,
        contextChars,
        Duration.ofSeconds(timeoutSeconds),
        interactive);
  }

  /**
   * The deployed API buffers answers and stops at 30 s; the deployment's stream URL does neither.
   * When the URL is the one deploy saved (not typed with --url) and the answers stream, chat talks
   * to the stream URL that deploy saved with it; with --no-stream (or -o json) it keeps the API
   * URL.
   */
  private static String streamingDoor(String url, boolean typed, boolean stream) {
    if (!stream || typed) {
      return url;
    }
    ConfigFile config = ConfigFile.forCurrentUser();
    String deployed = config.get(ConfigFile.URL);
    String streamUrl = config.get(ConfigFile.STREAM_URL);
    return streamUrl != null && url.strip().equals(deployed) ? streamUrl : url;
  }

  private boolean typed(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private void saveIfAsked(ChatSession session) {
    if (save != null) {
      session.save(save.toString());
    }
  }

  private static String readStdin(InputStream in) {
    String text;
    try {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read standard input: " + e.getMessage(), e);
    }
    if (text.isEmpty()) {
      throw CliException.usage("Standard input is empty: pipe a question in, or ask with -m TEXT.");
    }
    return text;
  }

  /** Chat failures as exit codes: 4 when the proxy is not there or broken, 1 when it said no. */
  static CliException translate(Throwable t) {
    if (t instanceof ChatException e) {
      int code =
          switch (e.kind()) {
            case UNREACHABLE, PROXY_FAILED -> ExitCodes.UNHEALTHY;
            case REJECTED, RATE_LIMITED, STOPPED -> ExitCodes.FAILURE;
          };
      return new CliException(code, e.getMessage(), e.getCause());
    }
    if (t instanceof Transcript.TranscriptException e) {
      return new CliException(ExitCodes.FAILURE, e.getMessage(), e.getCause());
    }
    return null;
  }
}
