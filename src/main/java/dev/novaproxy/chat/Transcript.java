package dev.novaproxy.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A conversation on disk in the OpenAI form: {@code {"model": ..., "messages": [...]}}, so that the
 * file is itself a valid chat completion request ({@code curl -d @file}) and other tools can read
 * it. Loading also takes a bare {@code messages} array.
 */
public final class Transcript {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

  /** What a transcript holds: the model (null for the proxy's default) and the messages. */
  public record Saved(String model, List<Message> messages) {
    public Saved {
      messages = List.copyOf(messages);
    }
  }

  public static void save(Path file, String model, List<Message> messages) {
    ObjectNode root = JSON.createObjectNode();
    if (model != null) {
      root.put("model", model);
    }
    ArrayNode list = root.putArray("messages");
    messages.forEach(m -> list.add(m.json()));
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(
          file,
          (JSON.writeValueAsString(root) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TranscriptException(
          "Cannot save the transcript to " + file + ": " + reason(e) + ".", e);
    }
  }

  public static Saved load(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      if (e instanceof NoSuchFileException || !Files.exists(file)) {
        throw new TranscriptException("No transcript at " + file + "; check the path.", e);
      }
      throw new TranscriptException("Cannot read the transcript " + file + ": it is not JSON.", e);
    }
    JsonNode list =
        root != null && root.isArray() ? root : root == null ? null : root.get("messages");
    if (list == null || !list.isArray()) {
      throw new TranscriptException(
          "The transcript " + file + " has no \"messages\" array; save one with /save or --save.",
          null);
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      if (!(m instanceof ObjectNode o)
          || !ROLES.contains(o.path("role").asText())
          || !o.has("content")) {
        throw new TranscriptException(
            "The transcript "
                + file
                + " has a bad message at index "
                + i
                + ": each needs a role (system, user, assistant, tool) and content.",
            null);
      }
      messages.add(new Message(o));
    }
    String model =
        root.isObject() && root.path("model").isTextual() ? root.get("model").asText() : null;
    return new Saved(model, messages);
  }

  private static String reason(IOException e) {
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }

  /** A transcript that cannot be read or written; the message names the file and the fix. */
  public static final class TranscriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TranscriptException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Transcript() {}
}
