package dev.novaproxy.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.jline.keymap.KeyMap;
import org.jline.reader.Binding;
import org.jline.reader.Buffer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;
import org.jline.terminal.Terminal.SignalHandler;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * The interactive chat: a jline prompt with history, line editing and multi-line input, feeding a
 * {@link ChatSession}. While an answer arrives, Ctrl-C stops that answer only.
 */
public final class ChatRepl {
  private static final String INSERT_NEWLINE = "novaproxy-insert-newline";
  private static final String ACCEPT_OR_CONTINUE = "novaproxy-accept-or-continue";

  private final Terminal terminal;
  private final ChatSession session;
  private final ChatPrinter printer;
  private final Path historyFile;
  private final boolean color;

  public ChatRepl(
      Terminal terminal,
      ChatSession session,
      ChatPrinter printer,
      Path historyFile,
      boolean color) {
    this.terminal = terminal;
    this.session = session;
    this.printer = printer;
    this.historyFile = historyFile;
    this.color = color;
  }

  /** Runs until Ctrl-D or {@code /exit}. */
  public void run() {
    LineReader reader = reader();
    printer.notice(session.describe());
    String prompt = prompt();
    while (true) {
      String line;
      try {
        line = reader.readLine(prompt);
      } catch (UserInterruptException e) {
        // Ctrl-C at the prompt drops what was typed; leaving is Ctrl-D's job.
        continue;
      } catch (EndOfFileException e) {
        break;
      }
      if (!answer(line)) {
        break;
      }
    }
    saveHistory(reader);
  }

  /** Handles one input with Ctrl-C bound to stopping it; false when the user leaves. */
  private boolean answer(String line) {
    Cancellation cancel = Cancellation.forCurrentThread();
    SignalHandler previous = terminal.handle(Signal.INT, signal -> cancel.cancel());
    try {
      return session.handle(line, cancel);
    } finally {
      terminal.handle(Signal.INT, previous);
      Thread.interrupted();
    }
  }

  private LineReader reader() {
    prepareHistoryFile();
    LineReader reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("novaproxy")
            .parser(proseParser())
            .completer(
                new StringsCompleter(
                    Arrays.stream(SlashCommand.values()).map(SlashCommand::word).toList()))
            .variable(LineReader.HISTORY_FILE, historyFile)
            .variable(LineReader.HISTORY_FILE_SIZE, 2000)
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
            // '!' and '^' are ordinary characters in a question, not history expansion.
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.INSERT_TAB, false)
            .build();
    reader
        .getWidgets()
        .put(
            INSERT_NEWLINE,
            () -> {
              reader.getBuffer().write("\n");
              return true;
            });
    // Enter after a trailing backslash continues the question on a new line. Done on the key,
    // not by the parser, so that backslashes inside a pasted text (shell line continuations,
    // Windows paths) reach the model unchanged.
    reader
        .getWidgets()
        .put(
            ACCEPT_OR_CONTINUE,
            () -> {
              Buffer buffer = reader.getBuffer();
              if (buffer.cursor() == buffer.length() && buffer.prevChar() == '\\') {
                buffer.backspace();
                buffer.write("\n");
              } else {
                reader.callWidget(LineReader.ACCEPT_LINE);
              }
              return true;
            });
    KeyMap<Binding> main = reader.getKeyMaps().get(LineReader.MAIN);
    main.bind(new Reference(ACCEPT_OR_CONTINUE), "\r", "\n");
    main.bind(new Reference(INSERT_NEWLINE), KeyMap.alt('\r'));
    return reader;
  }

  /** Reads what is typed as prose, not as a shell line: quotes and backslashes mean nothing. */
  private static Parser proseParser() {
    DefaultParser parser = new DefaultParser();
    parser.setQuoteChars(new char[0]);
    parser.setEscapeChars(new char[0]);
    return parser;
  }

  private String prompt() {
    AttributedStyle style =
        color ? AttributedStyle.BOLD.foreground(AttributedStyle.GREEN) : AttributedStyle.DEFAULT;
    return new AttributedString("you> ", style).toAnsi(terminal);
  }

  /** The history holds what the user typed, so only the user may read it. */
  private void prepareHistoryFile() {
    try {
      Files.createDirectories(historyFile.toAbsolutePath().getParent());
      if (!Files.exists(historyFile)) {
        Files.createFile(historyFile);
      }
      Files.setPosixFilePermissions(historyFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the user's profile directory is private already.
    } catch (IOException e) {
      printer.notice("(cannot use the history file " + historyFile + ": " + e.getMessage() + ")");
    }
  }

  private void saveHistory(LineReader reader) {
    try {
      reader.getHistory().save();
    } catch (IOException | UncheckedIOException e) {
      printer.notice("(cannot save the history to " + historyFile + ": " + e.getMessage() + ")");
    }
  }
}
