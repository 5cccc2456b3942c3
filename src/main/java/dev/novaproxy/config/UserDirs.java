package dev.novaproxy.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The XDG base directories novaproxy keeps its files in: the config file under {@code
 * $XDG_CONFIG_HOME}, state (chat history, local keys and counters) under {@code $XDG_STATE_HOME},
 * each under the home directory when unset.
 */
public final class UserDirs {
  private UserDirs() {}

  /**
   * novaproxy's file {@code name} in its config directory ({@code <configHome>/novaproxy}), or the
   * path the system property {@code overrideProperty} names when it is set (tests).
   */
  public static Path configFile(Map<String, String> env, String overrideProperty, String name) {
    return overridden(overrideProperty, configHome(env), name);
  }

  /** As {@link #configFile}, in novaproxy's state directory ({@code <stateHome>/novaproxy}). */
  public static Path stateFile(Map<String, String> env, String overrideProperty, String name) {
    return overridden(overrideProperty, stateHome(env), name);
  }

  private static Path overridden(String overrideProperty, Path base, String name) {
    String override = System.getProperty(overrideProperty);
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return base.resolve("novaproxy").resolve(name);
  }

  /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
  public static Path configHome(Map<String, String> env) {
    return xdg(env, "XDG_CONFIG_HOME", home(env).resolve(".config"));
  }

  /** {@code $XDG_STATE_HOME}, else {@code ~/.local/state}. */
  public static Path stateHome(Map<String, String> env) {
    return xdg(env, "XDG_STATE_HOME", home(env).resolve(".local").resolve("state"));
  }

  /**
   * {@code $HOME}, as the shell, the XDG specification and the AWS SDK (for {@code ~/.aws}) take
   * it; the JVM's {@code user.home} (the password entry's) only when it is unset. Someone who runs
   * {@code HOME=/elsewhere novaproxy ...} expects ~ to be there.
   */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return home != null && !home.isBlank()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"));
  }

  /** The specification says a relative path in these variables is invalid and to be ignored. */
  private static Path xdg(Map<String, String> env, String variable, Path otherwise) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    Path path = Path.of(value);
    return path.isAbsolute() ? path : otherwise;
  }
}
