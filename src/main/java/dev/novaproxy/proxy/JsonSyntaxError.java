package dev.novaproxy.proxy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says what is wrong with a body that is not valid JSON, in the client's terms and with the line
 * and column where it is: "Invalid JSON at line 1, column 6: NaN is not a JSON number." Jackson's
 * own messages name its classes and features ("enable `JsonReadFeature…`", "[Source: REDACTED…]"),
 * which mean nothing to a client, so they are translated here and never passed on; a message not
 * recognised becomes the position alone.
 *
 * <p>Columns count characters, not bytes, from 1.
 */
final class JsonSyntaxError {
  private static final Pattern CODE = Pattern.compile("code (\\d+)\\)");
  private static final Pattern TOKEN =
      Pattern.compile("^(?:Non-standard|Unrecognized) token '(.*?)'(?=: )");
  private static final Pattern START_MARKER =
      Pattern.compile("(Object|Array) \\(?start(?:ing| marker) at .*?line: (\\d+), column: (\\d+)");
  private static final Pattern CLOSE_MARKER =
      Pattern.compile("^Unexpected close marker '(.)': expected '(.)'");

  private final byte[] body;
  private final String jackson;
  private int offset;

  private JsonSyntaxError(JsonProcessingException e, byte[] body) {
    this.body = body;
    this.jackson = String.valueOf(e.getOriginalMessage());
    this.offset = offsetOf(e.getLocation());
  }

  /** The message for a body Jackson could not parse. */
  static String describe(JsonProcessingException e, byte[] body) {
    return new JsonSyntaxError(e, body).message();
  }

  private String message() {
    if (jackson.startsWith("Unexpected end-of-input")) {
      String detail = endOfInputDetail();
      return "The JSON body ends early at " + position(body.length) + detail + ".";
    }
    String what = what();
    return "Invalid JSON at " + position(offset) + (what == null ? "" : ": " + what) + ".";
  }

  private String endOfInputDetail() {
    Matcher start = START_MARKER.matcher(jackson);
    if (start.find()) {
      int opened = offsetOfLineColumn(Integer.parseInt(start.group(2)), start.group(3));
      String kind = start.group(1).equals("Object") ? "object" : "array";
      return ": the " + kind + " opened at " + position(opened) + " is not closed";
    }
    if (jackson.contains("VALUE_STRING") || jackson.contains("String value")) {
      return ": a string is not closed";
    }
    if (jackson.contains("Object entries")) {
      return ": an object is not closed";
    }
    if (jackson.contains("Array entries")) {
      return ": an array is not closed";
    }
    return "";
  }

  /** What is wrong at {@link #offset}, in plain words; null when the message is not known. */
  private String what() {
    Matcher token = TOKEN.matcher(jackson);
    if (token.find()) {
      return badToken(token.group(1));
    }
    Matcher close = CLOSE_MARKER.matcher(jackson);
    if (close.find()) {
      Matcher start = START_MARKER.matcher(jackson);
      String opened =
          start.find()
              ? " to close the "
                  + (start.group(1).equals("Object") ? "object" : "array")
                  + " opened at "
                  + position(offsetOfLineColumn(Integer.parseInt(start.group(2)), start.group(3)))
              : "";
      return "found '" + close.group(1) + "' where '" + close.group(2) + "' was expected" + opened;
    }
    if (jackson.startsWith("Unexpected close marker")) {
      return "'" + (char) byteAt(offset) + "' closes nothing: the JSON has already ended";
    }
    if (jackson.startsWith("Invalid numeric value: Leading zeroes")) {
      backUpTo('0');
      return "a number must not have a leading zero (write 7, not 07)";
    }
    Matcher code = CODE.matcher(jackson);
    if (!code.find()) {
      return null;
    }
    char c = (char) Integer.parseInt(code.group(1));
    if (jackson.startsWith("Illegal unquoted character")) {
      return controlCharacter(c);
    }
    if (jackson.startsWith("Unrecognized character escape")) {
      backUpTo('\\');
      return "'\\" + c + "' is not an escape JSON knows (a backslash itself is written \\\\)";
    }
    backUpTo(c);
    return unexpected(c);
  }

  private String badToken(String token) {
    // Jackson reports the position after the token: point at its start instead.
    int start = lastIndexOf(token, offset);
    if (start >= 0) {
      offset = start;
    }
    if (jackson.startsWith("Non-standard")) {
      return token + " is not a JSON number";
    }
    String shown = token.length() > 30 ? token.substring(0, 30) + "…" : token;
    return "'"
        + shown
        + "' is not a JSON value (a string needs double quotes; the literals are true, false and"
        + " null)";
  }

  private String unexpected(char c) {
    if (jackson.contains("comment")) {
      return "comments are not allowed in JSON";
    }
    if (jackson.contains("double-quote to start field name")) {
      if (c == '\'') {
        return "keys need double quotes, not single quotes";
      }
      if (c == '}') {
        return "a ',' must be followed by another key (a comma before '}'?)";
      }
      return "expected a key in double quotes, found " + shown(c);
    }
    if (jackson.contains("colon to separate")) {
      return "expected ':' after the key, found " + shown(c);
    }
    if (jackson.contains("comma to separate Object")) {
      return "expected ',' or '}' after the value, found " + shown(c);
    }
    if (jackson.contains("comma to separate Array")) {
      return "expected ',' or ']' after the value, found " + shown(c);
    }
    if (jackson.contains("plus sign")) {
      return "a number must not start with '+'";
    }
    if (jackson.contains("Decimal point not followed")) {
      return "a decimal point must be followed by a digit";
    }
    if (jackson.contains("Exponent indicator not followed")) {
      return "an exponent must be followed by a digit";
    }
    if (jackson.contains("minus sign")) {
      return "'-' must be followed by a digit";
    }
    if (jackson.contains("hex-digit")) {
      return "\\u must be followed by four hex digits";
    }
    if (jackson.contains("expected a valid value") || jackson.contains("expected a value")) {
      if (c == ']') {
        return "a ',' must be followed by another value (a comma before ']'?)";
      }
      if (c == '\'') {
        return "strings need double quotes, not single quotes";
      }
      return "expected a value (a string, number, object, array, true, false or null), found "
          + shown(c);
    }
    return "unexpected " + shown(c);
  }

  private static String controlCharacter(char c) {
    return switch (c) {
      case '\n' -> "a line break inside a string must be written as \\n";
      case '\r' -> "a carriage return inside a string must be written as \\r";
      case '\t' -> "a tab inside a string must be written as \\t";
      default ->
          String.format(
              "the control character U+%04X inside a string must be written as \\u%04X",
              (int) c, (int) c);
    };
  }

  private static String shown(char c) {
    return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  /**
   * Jackson points at or just after the character at fault, depending on the case: step back to it
   * when it is the one before.
   */
  private void backUpTo(char c) {
    if (byteAt(offset) != c && offset > 0 && byteAt(offset - 1) == c) {
      offset--;
    }
  }

  private int byteAt(int i) {
    return i >= 0 && i < body.length ? body[i] & 0xFF : -1;
  }

  private int offsetOf(JsonLocation at) {
    if (at == null) {
      return body.length;
    }
    long byteOffset = at.getByteOffset();
    if (byteOffset >= 0) {
      return (int) Math.min(byteOffset, body.length);
    }
    return offsetOfLineColumn(at.getLineNr(), Integer.toString(at.getColumnNr()));
  }

  /** The byte offset of Jackson's line and (byte) column, both from 1. */
  private int offsetOfLineColumn(int line, String column) {
    int i = 0;
    for (int l = 1; l < line && i < body.length; i++) {
      if (body[i] == '\n') {
        l++;
      }
    }
    return Math.max(0, Math.min(body.length, i + Integer.parseInt(column) - 1));
  }

  private int lastIndexOf(String token, int before) {
    byte[] t = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    outer:
    for (int i = Math.min(before, body.length) - t.length; i >= 0; i--) {
      for (int j = 0; j < t.length; j++) {
        if (body[i + j] != t[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private String position(int at) {
    return position(body, at);
  }

  /** "line L, column C" for a byte offset into {@code body}; columns count characters. */
  static String position(byte[] body, int at) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < at && i < body.length; i++) {
      if (body[i] == '\n') {
        line++;
        column = 1;
      } else if ((body[i] & 0xC0) != 0x80) {
        column++; // a character starts here (not a UTF-8 continuation byte)
      }
    }
    return "line " + line + ", column " + column;
  }
}
