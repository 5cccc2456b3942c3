package dev.novaproxy.chat;

import java.io.PrintWriter;

/**
 * Where a chat writes: answers and command results to standard output, notices and errors to
 * standard error, so that {@code novaproxy chat -m ... > answer.txt} holds only the answer.
 */
public final class ChatPrinter {
  private static final String DIM = "\u001b[2m";
  private static final String RED = "\u001b[31m";
  private static final String RESET = "\u001b[0m";

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean color;
  private boolean answerOpen;
  private boolean answerEndsWithNewline;

  public ChatPrinter(PrintWriter out, PrintWriter err, boolean color) {
    this.out = out;
    this.err = err;
    this.color = color;
  }

  /** A piece of the answer, shown at once. */
  public void answer(String text) {
    if (text.isEmpty()) {
      return;
    }
    out.print(text);
    out.flush();
    answerOpen = true;
    answerEndsWithNewline = text.endsWith("\n");
  }

  /**
   * Ends the answer's line (also after a stopped or failed answer), so the next output starts
   * clean.
   */
  public void endAnswer() {
    if (answerOpen && !answerEndsWithNewline) {
      out.println();
    }
    out.flush();
    answerOpen = false;
  }

  /** A command's result, on standard output. */
  public void info(String line) {
    out.println(line);
    out.flush();
  }

  /** Something the user should know that is not the answer. */
  public void notice(String line) {
    err.println(color ? DIM + line + RESET : line);
    err.flush();
  }

  public void error(String line) {
    err.println(color ? RED + line + RESET : line);
    err.flush();
  }

  public PrintWriter out() {
    return out;
  }
}
