package dev.novaproxy.chat;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;

/**
 * Reads what is typed as prose, not as a shell line: quotes and brackets mean nothing (a question
 * with "don't" must not wait for a closing quote). The only rule is that a line ending in a
 * backslash continues on the next line.
 */
final class ContinuationParser implements Parser {
  private final DefaultParser words = new DefaultParser();

  ContinuationParser() {
    words.setQuoteChars(new char[0]);
    words.setEscapeChars(new char[0]);
  }

  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    if (context == ParseContext.ACCEPT_LINE && line.endsWith("\\")) {
      throw new EOFError(-1, -1, "Escaped new line", "newline");
    }
    return words.parse(line, cursor, context);
  }

  /** The question the user meant: the continuation backslashes removed, the newlines kept. */
  static String text(String line) {
    return line.replace("\\\n", "\n");
  }
}
