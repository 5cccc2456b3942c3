package dev.novaproxy.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Wraps lines of help at spaces only, never inside a word or a URL (picocli's wrapping, a {@code
 * java.text.BreakIterator}, breaks after '.', ':' and '/'). Lines after the first get a hanging
 * indent; colour codes take no room. A word longer than the line is left whole.
 */
final class TextWrap {
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

  /**
   * @param width the widest a line may be
   * @param firstOffset the column the text's first line starts at (after a heading on that line)
   * @param hangingIndent for a line (without colour codes), the column its continuation starts at
   */
  static String wrap(String text, int width, int firstOffset, ToIntFunction<String> hangingIndent) {
    String separator = text.contains("\r\n") ? "\r\n" : "\n"; // picocli writes %n
    String[] lines = text.split("\r?\n", -1);
    StringBuilder out = new StringBuilder(text.length() + 64);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append(separator);
      }
      out.append(wrapLine(lines[i], width, i == 0 ? firstOffset : 0, hangingIndent, separator));
    }
    return out.toString();
  }

  private static String wrapLine(
      String line, int width, int offset, ToIntFunction<String> hangingIndent, String separator) {
    String plain = plain(line);
    if (offset + plain.length() <= width) {
      return line;
    }
    // At least 20 columns are left for the words, however deep the indent.
    int hang = Math.min(Math.max(0, hangingIndent.applyAsInt(plain)), width - 20);
    StringBuilder out = new StringBuilder();
    String rest = line;
    int start = offset;
    while (start + plain(rest).length() > width) {
      int cut = lastBreak(rest, width - start);
      if (cut < 0) {
        break; // one word wider than the line: better long than broken
      }
      out.append(rest, 0, cut).append(separator);
      int next = cut;
      while (next < rest.length() && rest.charAt(next) == ' ') {
        next++;
      }
      rest = " ".repeat(hang) + rest.substring(next);
      start = 0;
    }
    return out.append(rest).toString();
  }

  /**
   * The index of the last space that ends a word and leaves at most {@code room} visible columns
   * before it, or -1. Spaces in the line's indentation do not count.
   */
  private static int lastBreak(String line, int room) {
    int column = 0;
    int best = -1;
    boolean afterWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\u001B') {
        var m = ANSI.matcher(line).region(i, line.length());
        if (m.lookingAt()) {
          i = m.end() - 1;
          continue;
        }
      }
      if (c == ' ') {
        if (afterWord && column <= room) {
          best = i;
        }
        afterWord = false;
      } else {
        afterWord = true;
      }
      column++;
      if (column > room + 1) {
        break;
      }
    }
    return best;
  }

  static String plain(String s) {
    return s.indexOf('\u001B') < 0 ? s : ANSI.matcher(s).replaceAll("");
  }

  /** The hanging indent of prose: as indented as the line itself. */
  static int sameIndent(String line) {
    return leadingSpaces(line);
  }

  /**
   * The hanging indent of a table's rows (" -p, --port=PORT Port to listen on"): the column its
   * last cells start at (the one most rows agree on: a long option can push a row's cell further),
   * plus two as picocli indents its wrapped cells.
   */
  static ToIntFunction<String> tableCells(String table) {
    Map<Integer, Integer> starts = new HashMap<>();
    for (String line : plain(table).split("\r?\n")) {
      int cell = lastCell(line);
      if (cell >= 0) {
        starts.merge(cell, 1, Integer::sum);
      }
    }
    int column = -1;
    int rows = 0;
    for (var start : starts.entrySet()) {
      if (start.getValue() > rows || (start.getValue() == rows && start.getKey() < column)) {
        column = start.getKey();
        rows = start.getValue();
      }
    }
    int cells = column;
    return line -> (cells >= 0 ? cells : leadingSpaces(line)) + 2;
  }

  /**
   * The hanging indent of an example (" novaproxy serve what it does"): under the comment; a long
   * command without one continues four columns in.
   */
  static int exampleComment(String line) {
    int cell = lastCell(line);
    return cell >= 0 ? cell : leadingSpaces(line) + 4;
  }

  /** Where the text after the first gap of two or more spaces (past the indentation) starts. */
  private static int lastCell(String line) {
    int text = leadingSpaces(line);
    int gap = line.indexOf("  ", text);
    if (gap < 0) {
      return -1;
    }
    int cell = gap;
    while (cell < line.length() && line.charAt(cell) == ' ') {
      cell++;
    }
    return cell < line.length() ? cell : -1;
  }

  private static int leadingSpaces(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private TextWrap() {}
}
