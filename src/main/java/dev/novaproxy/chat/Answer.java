package dev.novaproxy.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A completed answer.
 *
 * @param text the assistant's text
 * @param finishReason why it ended ({@code stop}, {@code length}, ...), or null if not said
 * @param json the proxy's JSON answer as received when it was not streamed, else null
 */
public record Answer(String text, String finishReason, ObjectNode json) {
  public Message message() {
    return Message.assistant(text);
  }
}
