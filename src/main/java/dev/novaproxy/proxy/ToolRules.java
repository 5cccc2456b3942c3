package dev.novaproxy.proxy;

import static dev.novaproxy.proxy.JsonFields.absent;
import static dev.novaproxy.proxy.JsonFields.optionalConstant;
import static dev.novaproxy.proxy.JsonFields.optionalString;
import static dev.novaproxy.proxy.JsonFields.requiredObject;
import static dev.novaproxy.proxy.JsonFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/** The checks on {@code tools} (function definitions) and {@code tool_choice}. */
final class ToolRules {
  private static final Set<String> CHOICES = Set.of("auto", "required", "none");

  static void check(JsonNode tools, JsonNode choice) {
    Set<String> names = checkTools(tools);
    checkChoice(choice, names);
  }

  /** Returns the names of the functions defined. */
  private static Set<String> checkTools(JsonNode tools) {
    Set<String> names = new HashSet<>();
    if (absent(tools)) {
      return names;
    }
    if (!tools.isArray()) {
      throw InvalidRequest.type("tools", "an array of tools", tools);
    }
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = tools.get(i);
      if (!tool.isObject()) {
        throw InvalidRequest.type(at, "an object", tool);
      }
      String type = requiredString(tool, "type", at);
      if (!type.equals("function")) {
        throw InvalidRequest.value(
            at + ".type", "must be 'function', not " + InvalidRequest.quote(type) + ".");
      }
      JsonNode fn = requiredObject(tool, "function", at);
      String name = requiredString(fn, "name", at + ".function");
      if (name.isBlank()) {
        throw InvalidRequest.value(at + ".function.name", "must not be empty.");
      }
      optionalString(fn, "description", at + ".function");
      JsonNode params = fn.get("parameters");
      if (!absent(params) && !params.isObject()) {
        throw InvalidRequest.type(at + ".function.parameters", "an object (a JSON Schema)", params);
      }
      names.add(name);
    }
    return names;
  }

  private static void checkChoice(JsonNode choice, Set<String> defined) {
    if (absent(choice)) {
      return;
    }
    if (choice.isTextual()) {
      if (!CHOICES.contains(choice.textValue())) {
        throw InvalidRequest.value(
            "tool_choice",
            InvalidRequest.quote(choice.textValue())
                + " is not one of auto, required, none, or"
                + " {\"type\":\"function\",\"function\":{\"name\":...}}.");
      }
      if (choice.textValue().equals("required") && defined.isEmpty()) {
        throw InvalidRequest.value("tool_choice", "'required' needs at least one tool in 'tools'.");
      }
      return;
    }
    if (!choice.isObject()) {
      throw InvalidRequest.type("tool_choice", "a string or an object", choice);
    }
    optionalConstant(choice, "type", "function", "tool_choice");
    String name =
        requiredString(
            requiredObject(choice, "function", "tool_choice"), "name", "tool_choice.function");
    if (!defined.contains(name)) {
      throw InvalidRequest.value(
          "tool_choice.function.name",
          "no tool named " + InvalidRequest.quote(name) + " is defined in 'tools'.");
    }
  }

  private ToolRules() {}
}
