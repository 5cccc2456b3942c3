package dev.novaproxy.cli.doctor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java that runs novaproxy, and whether JAVA_HOME agrees: the launcher takes JAVA_HOME when it
 * holds a {@code bin/java}, else the {@code java} on the PATH.
 */
final class JavaCheck {
  static final String NAME = "java";
  static final int NEEDED = 17;

  private JavaCheck() {}

  /** The Java of this process. */
  static Finding run() {
    return check(
        Runtime.version(),
        System.getProperty("java.vendor", ""),
        System.getProperty("java.home"),
        System.getenv("JAVA_HOME"));
  }

  static Finding check(Runtime.Version version, String vendor, String javaHome, String envHome) {
    String running =
        "Java " + version + (vendor.isBlank() ? "" : " (" + vendor + ")") + " at " + javaHome;
    if (version.feature() < NEEDED) {
      return Finding.fail(
          NAME,
          running + "; novaproxy needs Java " + NEEDED + " or newer",
          "install Java " + NEEDED + " or newer and set JAVA_HOME to it.");
    }
    if (envHome == null || envHome.isBlank()) {
      return Finding.ok(NAME, running + "; JAVA_HOME is not set (java from the PATH)");
    }
    if (!Files.isExecutable(Path.of(envHome, "bin", "java"))) {
      return Finding.warn(
          NAME,
          running + "; JAVA_HOME=" + envHome + " has no bin/java, so the launcher ignores it",
          "set JAVA_HOME to a Java " + NEEDED + " or newer, or unset it.");
    }
    if (same(envHome, javaHome)) {
      return Finding.ok(NAME, running + " (JAVA_HOME)");
    }
    return Finding.ok(NAME, running + "; JAVA_HOME=" + envHome + " is another Java, not used");
  }

  private static boolean same(String a, String b) {
    try {
      return Path.of(a).toRealPath().equals(Path.of(b).toRealPath());
    } catch (java.io.IOException | RuntimeException e) {
      return Path.of(a).normalize().equals(Path.of(b).normalize());
    }
  }
}
