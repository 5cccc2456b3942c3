package dev.novaproxy.chat;

import dev.novaproxy.config.UserDirs;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the REPL keeps the lines typed at its prompt: the XDG state directory, as history is state.
 */
public final class HistoryFile {
  /** Overrides the location; tests use it so that they never touch the user's history. */
  public static final String PATH_PROPERTY = "novaproxy.history";

  public static Path forCurrentUser() {
    return path(System.getenv());
  }

  static Path path(Map<String, String> env) {
    return UserDirs.stateFile(env, PATH_PROPERTY, "chat_history");
  }

  private HistoryFile() {}
}
