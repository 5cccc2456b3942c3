package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of one field for the validation rules, each failing with the field's path. A JSON
 * {@code null} counts as absent, as in OpenAI's API, where optional parameters are nullable.
 */
final class JsonFields {
  static boolean absent(JsonNode v) {
    return v == null || v.isNull();
  }

  static String requiredString(JsonNode parent, String key, String path) {
    JsonNode v = parent.get(key);
    String at = join(path, key);
    if (absent(v)) {
      throw InvalidRequest.missing(at, ".");
    }
    if (!v.isTextual()) {
      throw InvalidRequest.type(at, "a string", v);
    }
    return v.textValue();
  }

  static JsonNode requiredObject(JsonNode parent, String key, String path) {
    JsonNode v = parent.get(key);
    String at = join(path, key);
    if (absent(v)) {
      throw InvalidRequest.missing(at, ".");
    }
    if (!v.isObject()) {
      throw InvalidRequest.type(at, "an object", v);
    }
    return v;
  }

  static void optionalString(JsonNode parent, String key, String path) {
    JsonNode v = parent.get(key);
    if (v != null && !v.isNull() && !v.isTextual()) {
      throw InvalidRequest.type(join(path, key), "a string", v);
    }
  }

  static void optionalConstant(JsonNode parent, String key, String expected, String path) {
    JsonNode v = parent.get(key);
    if (absent(v)) {
      return;
    }
    if (!v.isTextual()) {
      throw InvalidRequest.type(join(path, key), "a string", v);
    }
    if (!v.textValue().equals(expected)) {
      throw InvalidRequest.value(
          join(path, key),
          "must be '" + expected + "', not " + InvalidRequest.quote(v.textValue()) + ".");
    }
  }

  /** {@code messages[0]} and {@code content} make {@code messages[0].content}; top level is "". */
  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private JsonFields() {}
}
