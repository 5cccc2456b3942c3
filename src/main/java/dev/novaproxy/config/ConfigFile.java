package dev.novaproxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The user's settings file, {@code $XDG_CONFIG_HOME/novaproxy/config.json} (or {@code
 * ~/.config/...}). It holds names and places (region, deployment name, secret name, the deployed
 * URL), never the Nova key, and is written with mode 0600 in one atomic step so that a crash never
 * leaves half a file.
 */
public final class ConfigFile {
  /** Overrides the location; tests use it so they never touch the real file. */
  public static final String PATH_PROPERTY = "novaproxy.config";

  public static final String REGION = "region";
  public static final String PROFILE = "profile";
  public static final String NAME = "name";
  public static final String SECRET_NAME = "secretName";
  public static final String URL = "url";

  /** The deployment's stream URL (a Lambda function URL); chat streams through it. */
  public static final String STREAM_URL = "streamUrl";

  public static final String ENDPOINT_URL = "endpointUrl";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          // Text after the object is a mistake (two pastes, a merge), not something to ignore.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path path;

  /** The file exists but cannot be used; the message names the file, the mistake and the fix. */
  public static final class Unreadable extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public ConfigFile(Path path) {
    this.path = path;
  }

  /** The file this user's commands read and write. */
  public static ConfigFile forCurrentUser() {
    return forEnvironment(System.getenv());
  }

  /** The file for this environment ({@code XDG_CONFIG_HOME}); the system property still wins. */
  public static ConfigFile forEnvironment(Map<String, String> env) {
    return new ConfigFile(defaultPath(env));
  }

  static Path defaultPath(Map<String, String> env) {
    return UserDirs.configFile(env, PATH_PROPERTY, "config.json");
  }

  public Path path() {
    return path;
  }

  /**
   * The saved settings; an empty object when there is no file yet.
   *
   * @throws Unreadable in one line naming the file, where it is wrong and what to do
   */
  public ObjectNode read() {
    if (!Files.exists(path)) {
      return JSON.createObjectNode();
    }
    String text;
    try {
      text = Files.readString(path);
    } catch (MalformedInputException e) {
      throw unreadable(" is not UTF-8 text", e);
    } catch (AccessDeniedException e) {
      throw unreadable(" cannot be read: permission denied", e);
    } catch (IOException e) {
      throw unreadable(" cannot be read (" + e.getMessage() + ")", e);
    }
    if (text.isBlank()) {
      throw unreadable(" is empty", null);
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw unreadable(" is not valid JSON" + JsonMistake.describe(e), e);
    }
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw unreadable(" is not a JSON object ({\"name\": value, ...})", null);
  }

  private Unreadable unreadable(String what, Throwable cause) {
    return new Unreadable("The config file " + path + what + "; fix or delete it.", cause);
  }

  /** A saved string setting, or null. */
  public String get(String key) {
    var v = read().get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** Reads, changes and writes the file back atomically with mode 0600. */
  public void update(Consumer<ObjectNode> change) {
    ObjectNode node = read();
    change.accept(node);
    write(node);
  }

  private void write(ObjectNode node) {
    try {
      Files.createDirectories(path.getParent());
      Path tmp = Files.createTempFile(path.getParent(), ".config", ".tmp");
      try {
        restrict(tmp);
        Files.write(tmp, JSON.writeValueAsBytes(node));
        try {
          Files.move(
              tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      restrict(path);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the config file " + path + ": " + e.getMessage(), e);
    }
  }

  private static void restrict(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the user's profile directory is already private.
    }
  }
}
