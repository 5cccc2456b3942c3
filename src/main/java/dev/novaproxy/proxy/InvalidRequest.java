package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The 400 errors of request validation, worded like OpenAI's own so that clients and their users
 * recognise them: {@code param} is the JSON path of the field, e.g. {@code messages[2].content}.
 */
final class InvalidRequest {
  static final String INVALID_TYPE = "invalid_type";
  static final String INVALID_VALUE = "invalid_value";
  static final String MISSING = "missing_required_parameter";
  static final String UNSUPPORTED = "unsupported_value";
  static final String INVALID_JSON = "invalid_json";
  static final String INVALID_ENCODING = "invalid_encoding";
  static final String DUPLICATE_KEY = "duplicate_key";
  static final String TOO_DEEP = "nesting_too_deep";
  static final String STRING_TOO_LONG = "string_too_long";
  static final String MODEL_NOT_ALLOWED = "model_not_allowed";

  private static final int MAX_QUOTED = 40;

  static ProxyException type(String path, String expected, JsonNode got) {
    return ProxyException.invalid(
        path,
        INVALID_TYPE,
        "Invalid type for '"
            + path
            + "': expected "
            + expected
            + ", but got "
            + describe(got)
            + " instead.");
  }

  static ProxyException value(String path, String why) {
    return ProxyException.invalid(path, INVALID_VALUE, "Invalid value for '" + path + "': " + why);
  }

  static ProxyException unsupported(String path, String why) {
    return ProxyException.invalid(
        path, UNSUPPORTED, "Unsupported value for '" + path + "': " + why);
  }

  static ProxyException missing(String path, String why) {
    return ProxyException.invalid(
        path, MISSING, "Missing required parameter: '" + path + "'" + why);
  }

  /** A JSON type for messages: "a string", "an array", "null". */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** A client's value quoted in an error, shortened so that a huge string is not echoed back. */
  static String quote(String s) {
    String shown = s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
    return "'" + shown + "'";
  }

  private InvalidRequest() {}
}
