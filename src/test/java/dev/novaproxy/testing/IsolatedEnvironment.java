package dev.novaproxy.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The environment for a CLI or {@code serve} that a test starts as its own process: nothing of the
 * developer's own settings. A child inherits the test JVM's environment, and the CLI reads its
 * settings from the environment, its config file and the AWS profile files under HOME; so this
 * removes every NOVA_, NOVAPROXY_ and AWS_ variable (NOVAPROXY_JAVA_OPTS could name another config
 * file), the JVM option variables (they could too), NO_COLOR, and points HOME and the XDG
 * directories at a fresh directory. Tests then add what they mean to set.
 *
 * <p>The test JVM itself is isolated by the surefire and failsafe configuration in pom.xml, which
 * can only drop variables by exact name; here, in the child, whole prefixes go.
 */
public final class IsolatedEnvironment {
  /** Variables with these prefixes are the CLI's, the Lambda adapter's or the AWS SDK's. */
  public static final List<String> CLEARED_PREFIXES =
      List.of("NOVA_", "NOVAPROXY_", "AWS_", "SECRET_MANAGER_");

  /** The JVM reads options (a -Dnovaproxy.config, say) from these; and NO_COLOR changes output. */
  public static final List<String> CLEARED_NAMES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "NO_COLOR");

  /** Isolates {@code pb} with a new temporary directory as HOME; returns it for chaining. */
  public static ProcessBuilder apply(ProcessBuilder pb) {
    return apply(pb, TempPaths.directory("novaproxy-home"));
  }

  /**
   * Isolates {@code pb} with {@code home} as HOME: the config file is {@code
   * home/.config/novaproxy/config.json}, the chat history under {@code home/.local/state}, the AWS
   * profile files (absent) under {@code home/.aws}. JAVA_HOME is this JVM's, so that the launcher
   * runs the Java the build ran.
   */
  public static ProcessBuilder apply(ProcessBuilder pb, Path home) {
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(IsolatedEnvironment::cleared);
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return pb;
  }

  /** True for a variable that {@link #apply} removes. */
  public static boolean cleared(String name) {
    return CLEARED_NAMES.contains(name) || CLEARED_PREFIXES.stream().anyMatch(name::startsWith);
  }

  private IsolatedEnvironment() {}
}
