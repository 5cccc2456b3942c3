package dev.novaproxy.proxy;

import static dev.novaproxy.proxy.JsonFields.absent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/**
 * How many tokens a chat request may use, reserved against the token limits before it goes to Nova:
 * its output limit plus an estimate of its prompt. Nova's reported usage replaces the reservation
 * afterwards, so the estimate only has to be of the right size.
 */
final class TokenReservation {
  /**
   * The output limit written into a request that names none when a token limit applies (and no
   * token cap already wrote one): without it a single answer could pass a budget by Nova's own
   * maximum, and concurrent ones by many times that. Smaller when the smallest daily limit that
   * applies leaves less room beside the prompt.
   */
  static final int DEFAULT_MAX_TOKENS = 4096;

  /** What an image, file or audio part is reckoned at, instead of by its (base64) size. */
  static final int MEDIA_PART_TOKENS = 1000;

  private TokenReservation() {}

  /**
   * The most tokens the request may use: its output limit times {@code n}, plus its {@code prompt}
   * estimate. A request that names no output limit gets {@link #DEFAULT_MAX_TOKENS}, or what is
   * left of {@code tokenLimit} beside the prompt when that is less, written into it as {@code
   * max_tokens} when a token limit applies.
   *
   * @param tokenLimit the smallest daily token limit that applies, or empty
   */
  static long reserve(ObjectNode body, long prompt, OptionalLong tokenLimit) {
    long most = -1;
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode v = body.get(field);
      if (!absent(v)) {
        most = Math.max(most, v.longValue());
      }
    }
    if (most < 0) {
      most = DEFAULT_MAX_TOKENS;
      if (tokenLimit.isPresent()) {
        most = Math.max(1, Math.min(most, tokenLimit.getAsLong() - prompt));
        body.put("max_tokens", most);
      }
    }
    JsonNode n = body.get("n");
    long choices = absent(n) ? 1 : Math.max(1, n.longValue());
    return most * choices + prompt;
  }

  /**
   * The prompt, reckoned at 4 bytes of the request body a token, except media payloads, which count
   * {@link #MEDIA_PART_TOKENS} each.
   */
  static long prompt(ObjectNode body, int requestBytes) {
    long mediaChars = 0;
    int mediaParts = 0;
    for (JsonNode message : body.path("messages")) {
      JsonNode content = message.path("content");
      if (!content.isArray()) {
        continue;
      }
      for (JsonNode part : content) {
        JsonNode payload =
            switch (part.path("type").asText("")) {
              case "image_url" -> part.path("image_url").path("url");
              case "file" -> part.path("file").path("file_data");
              case "input_audio" -> part.path("input_audio").path("data");
              default -> null;
            };
        if (payload != null) {
          mediaParts++;
          mediaChars += payload.isTextual() ? payload.textValue().length() : 0;
        }
      }
    }
    long textBytes = Math.max(0, requestBytes - mediaChars);
    return (textBytes + 3) / 4 + (long) mediaParts * MEDIA_PART_TOKENS;
  }
}
