package dev.novaproxy.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One message of a conversation in the OpenAI {@code messages} form. It keeps the whole JSON object
 * so that a loaded transcript (content parts, tool calls, names) is sent back exactly as it was.
 */
public record Message(ObjectNode json) {
  public Message {
    json = json.deepCopy();
  }

  public static Message of(String role, String text) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("role", role).put("content", text);
    return new Message(m);
  }

  public static Message user(String text) {
    return of("user", text);
  }

  public static Message assistant(String text) {
    return of("assistant", text);
  }

  public static Message system(String text) {
    return of("system", text);
  }

  public String role() {
    return json.path("role").asText("");
  }

  /** The text of the content: the string itself, or the text parts joined. */
  public String text() {
    JsonNode content = json.path("content");
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      if (part.has("text")) {
        sb.append(part.path("text").asText());
      } else {
        sb.append('[').append(part.path("type").asText("part")).append(']');
      }
    }
    return sb.toString();
  }

  /** What the message costs against the conversation budget: its serialised size in characters. */
  public int size() {
    return json.toString().length();
  }
}
