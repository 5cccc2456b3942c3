package dev.novaproxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON syntax error told in the words of someone who edited a file by hand: where it is and what
 * is wrong. Jackson's own messages name its token types and its source object, and span two lines.
 */
final class JsonMistake {
  private static final Pattern UNEXPECTED =
      Pattern.compile(
          "Unexpected character \\('(.+?)' \\(code \\d+\\)\\)(?:: (.*))?", Pattern.DOTALL);
  private static final Pattern UNRECOGNIZED = Pattern.compile("Unrecognized token '(.*?)'.*");

  /** E.g. "at line 3, column 1: unexpected '}', expected a name in double quotes". */
  static String describe(JsonProcessingException e) {
    var at = e.getLocation();
    if (at == null) {
      return ": " + what(e);
    }
    int column = at.getColumnNr();
    Matcher unrecognized = UNRECOGNIZED.matcher(String.valueOf(e.getOriginalMessage()));
    if (unrecognized.matches()) {
      // Jackson points just past the word; the user looks for where it starts.
      column = Math.max(1, column - unrecognized.group(1).length());
    }
    return " at line " + at.getLineNr() + ", column " + column + ": " + what(e);
  }

  private static String what(JsonProcessingException e) {
    if (e instanceof JsonEOFException) {
      return "it ends before the JSON is complete (a closing }, ] or \" is missing)";
    }
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    Matcher unexpected = UNEXPECTED.matcher(message);
    if (unexpected.matches()) {
      String expected = expected(unexpected.group(2) == null ? "" : unexpected.group(2));
      return "unexpected '" + unexpected.group(1) + "'" + (expected == null ? "" : ", " + expected);
    }
    Matcher unrecognized = UNRECOGNIZED.matcher(message);
    if (unrecognized.matches()) {
      return "'"
          + unrecognized.group(1)
          + "' is not a JSON value (text goes in double quotes, e.g. \"eu-west-1\")";
    }
    if (message.startsWith("Trailing token")) {
      return "there is more after the closing }";
    }
    if (message.startsWith("Illegal unquoted character")) {
      return "a line break or control character inside a text in quotes (write it as \\n)";
    }
    return "it is not valid JSON";
  }

  private static String expected(String jacksonReason) {
    if (jacksonReason.contains("double-quote to start field name")) {
      return "expected a name in double quotes";
    }
    if (jacksonReason.contains("comma to separate Object entries")) {
      return "expected ',' or '}'";
    }
    if (jacksonReason.contains("comma to separate Array entries")) {
      return "expected ',' or ']'";
    }
    if (jacksonReason.contains("colon to separate field name")) {
      return "expected ':' after the name";
    }
    if (jacksonReason.contains("expected a valid value")) {
      return "expected a value (text in double quotes, a number, a [list], true, false or null)";
    }
    return null;
  }

  private JsonMistake() {}
}
