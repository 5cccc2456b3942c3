package dev.novaproxy.proxy;

import static dev.novaproxy.proxy.JsonFields.absent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Set;

/**
 * The typed checks on the request's top-level parameters other than {@code messages} and the tools.
 * Each parameter is optional, and {@code null} means absent.
 */
final class ParameterRules {
  static final int MAX_STOP_SEQUENCES = 4;
  private static final Set<String> EFFORTS = Set.of("low", "medium", "high");

  static void check(ObjectNode body) {
    optionalString(body, "model");
    optionalBoolean(body, "stream");
    numberBetween(body, "temperature", 0, 2);
    numberBetween(body, "top_p", 0, 1);
    positiveInt(body, "max_tokens");
    positiveInt(body, "max_completion_tokens");
    positiveInt(body, "n");
    checkStop(body.get("stop"));
    checkStreamOptions(body);
    checkReasoningEffort(body.get("reasoning_effort"));
    checkSystemTools(body.get("system_tools"));
  }

  /** Whether the request asks to stream; {@link #check} has made sure it is a boolean. */
  static boolean streams(ObjectNode body) {
    JsonNode v = body.get("stream");
    return v != null && v.booleanValue();
  }

  private static void optionalString(ObjectNode body, String key) {
    JsonNode v = body.get(key);
    if (!absent(v) && !v.isTextual()) {
      throw InvalidRequest.type(key, "a string", v);
    }
    if (!absent(v) && v.textValue().isBlank()) {
      throw InvalidRequest.value(key, "must not be empty.");
    }
  }

  private static void optionalBoolean(ObjectNode body, String key) {
    JsonNode v = body.get(key);
    if (!absent(v) && !v.isBoolean()) {
      throw InvalidRequest.type(key, "a boolean", v);
    }
  }

  private static void numberBetween(ObjectNode body, String key, int min, int max) {
    JsonNode v = body.get(key);
    if (absent(v)) {
      return;
    }
    if (!v.isNumber()) {
      throw InvalidRequest.type(key, "a number", v);
    }
    BigDecimal d = v.decimalValue();
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw InvalidRequest.value(
          key, "must be between " + min + " and " + max + ", not " + shortNumber(v) + ".");
    }
  }

  private static void positiveInt(ObjectNode body, String key) {
    JsonNode v = body.get(key);
    if (absent(v)) {
      return;
    }
    if (!v.isIntegralNumber()) {
      throw InvalidRequest.type(key, "an integer", v);
    }
    if (v.bigIntegerValue().signum() <= 0 || !v.canConvertToInt()) {
      throw InvalidRequest.value(
          key,
          "must be a whole number from 1 to "
              + Integer.MAX_VALUE
              + ", not "
              + shortNumber(v)
              + ".");
    }
  }

  private static void checkStop(JsonNode stop) {
    if (absent(stop) || stop.isTextual()) {
      return;
    }
    if (!stop.isArray()) {
      throw InvalidRequest.type("stop", "a string or an array of strings", stop);
    }
    if (stop.size() > MAX_STOP_SEQUENCES) {
      throw InvalidRequest.value(
          "stop",
          "at most "
              + MAX_STOP_SEQUENCES
              + " stop sequences are allowed, not "
              + stop.size()
              + ".");
    }
    for (int i = 0; i < stop.size(); i++) {
      if (!stop.get(i).isTextual()) {
        throw InvalidRequest.type("stop[" + i + "]", "a string", stop.get(i));
      }
    }
  }

  private static void checkStreamOptions(ObjectNode body) {
    JsonNode opts = body.get("stream_options");
    if (absent(opts)) {
      return;
    }
    if (!opts.isObject()) {
      throw InvalidRequest.type("stream_options", "an object", opts);
    }
    if (!streams(body)) {
      throw InvalidRequest.value("stream_options", "only allowed when 'stream' is true.");
    }
    JsonNode usage = opts.get("include_usage");
    if (!absent(usage) && !usage.isBoolean()) {
      throw InvalidRequest.type("stream_options.include_usage", "a boolean", usage);
    }
  }

  private static void checkReasoningEffort(JsonNode effort) {
    if (absent(effort)) {
      return;
    }
    if (!effort.isTextual()) {
      throw InvalidRequest.type("reasoning_effort", "a string", effort);
    }
    if (!EFFORTS.contains(effort.textValue())) {
      throw InvalidRequest.value(
          "reasoning_effort",
          InvalidRequest.quote(effort.textValue()) + " is not one of low, medium, high.");
    }
  }

  private static void checkSystemTools(JsonNode tools) {
    if (absent(tools)) {
      return;
    }
    if (!tools.isArray()) {
      throw InvalidRequest.type("system_tools", "an array of strings", tools);
    }
    for (int i = 0; i < tools.size(); i++) {
      if (!tools.get(i).isTextual()) {
        throw InvalidRequest.type("system_tools[" + i + "]", "a string", tools.get(i));
      }
    }
  }

  private static String shortNumber(JsonNode v) {
    String s = v.asText();
    return s.length() > 30 ? s.substring(0, 30) + "..." : s;
  }

  private ParameterRules() {}
}
