package dev.novaproxy.proxy;

import static dev.novaproxy.proxy.JsonFields.absent;
import static dev.novaproxy.proxy.JsonFields.optionalConstant;
import static dev.novaproxy.proxy.JsonFields.optionalString;
import static dev.novaproxy.proxy.JsonFields.requiredObject;
import static dev.novaproxy.proxy.JsonFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * The checks on {@code messages}: the roles Nova knows, content as a string or a list of the part
 * types Nova accepts, and the tool-calling fields. Unknown fields in a message pass through.
 */
final class MessageRules {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
  private static final String PART_TYPES = "'text', 'image_url', 'file' or 'input_audio'";

  static void check(JsonNode messages) {
    if (absent(messages)) {
      throw InvalidRequest.missing("messages", "; send a non-empty array of messages.");
    }
    if (!messages.isArray()) {
      throw InvalidRequest.type("messages", "an array of messages", messages);
    }
    if (messages.isEmpty()) {
      throw InvalidRequest.value("messages", "the array is empty; send at least one message.");
    }
    for (int i = 0; i < messages.size(); i++) {
      checkMessage(messages.get(i), "messages[" + i + "]");
    }
  }

  private static void checkMessage(JsonNode m, String path) {
    if (!m.isObject()) {
      throw InvalidRequest.type(path, "an object with 'role' and 'content'", m);
    }
    String role = role(m.get("role"), path + ".role");
    JsonNode toolCalls = m.get("tool_calls");
    if (!absent(toolCalls)) {
      checkToolCalls(toolCalls, role, path + ".tool_calls");
    }
    // An empty list of tool calls is no tool call: such a message still needs content.
    boolean callsTools = toolCalls != null && toolCalls.isArray() && !toolCalls.isEmpty();
    checkContent(m.get("content"), role, callsTools, path + ".content");
    optionalString(m, "name", path);
    if (role.equals("tool")) {
      JsonNode id = m.get("tool_call_id");
      if (absent(id)) {
        throw InvalidRequest.missing(
            path + ".tool_call_id", "; a tool message answers one tool call and names its id.");
      }
      if (!id.isTextual()) {
        throw InvalidRequest.type(path + ".tool_call_id", "a string", id);
      }
    }
  }

  private static String role(JsonNode role, String path) {
    if (absent(role)) {
      throw InvalidRequest.missing(
          path, "; each message needs one of system, user, assistant, tool.");
    }
    if (!role.isTextual()) {
      throw InvalidRequest.type(path, "a string", role);
    }
    String r = role.textValue();
    if (r.equals("developer")) {
      throw InvalidRequest.unsupported(
          path,
          "Nova does not support the 'developer' role; send the instructions as a 'system'"
              + " message.");
    }
    if (!ROLES.contains(r)) {
      throw InvalidRequest.value(
          path, InvalidRequest.quote(r) + " is not a role; use system, user, assistant or tool.");
    }
    return r;
  }

  private static void checkContent(
      JsonNode content, String role, boolean hasToolCalls, String path) {
    if (absent(content)) {
      if (role.equals("assistant") && hasToolCalls) {
        return;
      }
      throw InvalidRequest.missing(
          path, "; only an assistant message with 'tool_calls' may leave it out.");
    }
    if (content.isTextual()) {
      return;
    }
    if (!content.isArray()) {
      throw InvalidRequest.type(path, "a string or an array of content parts", content);
    }
    if (content.isEmpty()) {
      throw InvalidRequest.value(path, "the array of content parts is empty.");
    }
    for (int i = 0; i < content.size(); i++) {
      checkPart(content.get(i), path + "[" + i + "]");
    }
  }

  private static void checkPart(JsonNode part, String path) {
    if (!part.isObject()) {
      throw InvalidRequest.type(path, "an object with a 'type'", part);
    }
    String type = requiredString(part, "type", path);
    switch (type) {
      case "text" -> requiredString(part, "text", path);
      case "image_url" ->
          requiredString(requiredObject(part, "image_url", path), "url", path + ".image_url");
      case "file" -> checkFile(requiredObject(part, "file", path), path + ".file");
      case "input_audio" ->
          requiredString(requiredObject(part, "input_audio", path), "data", path + ".input_audio");
      default ->
          throw InvalidRequest.value(
              path + ".type",
              InvalidRequest.quote(type) + " is not a content part type; use " + PART_TYPES + ".");
    }
  }

  private static void checkFile(JsonNode file, String path) {
    boolean any = false;
    for (String key : new String[] {"file_data", "file_id", "filename"}) {
      JsonNode v = file.get(key);
      if (!absent(v)) {
        if (!v.isTextual()) {
          throw InvalidRequest.type(path + "." + key, "a string", v);
        }
        any |= !key.equals("filename");
      }
    }
    if (!any) {
      throw InvalidRequest.missing(
          path + ".file_data", "; a file part carries 'file_data' (or 'file_id').");
    }
  }

  private static void checkToolCalls(JsonNode calls, String role, String path) {
    if (!role.equals("assistant")) {
      throw InvalidRequest.value(path, "only assistant messages carry tool calls.");
    }
    if (!calls.isArray()) {
      throw InvalidRequest.type(path, "an array of tool calls", calls);
    }
    for (int i = 0; i < calls.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode call = calls.get(i);
      if (!call.isObject()) {
        throw InvalidRequest.type(at, "an object", call);
      }
      requiredString(call, "id", at);
      optionalConstant(call, "type", "function", at);
      JsonNode fn = requiredObject(call, "function", at);
      requiredString(fn, "name", at + ".function");
      optionalString(fn, "arguments", at + ".function");
    }
  }

  private MessageRules() {}
}
