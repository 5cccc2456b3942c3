package dev.novaproxy.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java check's verdicts, from the version and paths it is given. */
class JavaCheckTest {
  private static final String HOME = System.getProperty("java.home");

  @TempDir Path dir;

  @Test
  void should_fail_below_java_17() {
    Finding f = JavaCheck.check(Runtime.Version.parse("11.0.2"), "Acme", "/opt/java11", null);
    assertThat(f.status()).isEqualTo(Finding.Status.FAIL);
    assertThat(f.message())
        .isEqualTo("Java 11.0.2 (Acme) at /opt/java11; novaproxy needs Java 17 or newer");
    assertThat(f.fix()).isEqualTo("install Java 17 or newer and set JAVA_HOME to it.");
  }

  @Test
  void should_pass_without_java_home() {
    Finding f = JavaCheck.check(Runtime.Version.parse("17.0.9"), "", HOME, null);
    assertThat(f.status()).isEqualTo(Finding.Status.OK);
    assertThat(f.message()).endsWith("JAVA_HOME is not set (java from the PATH)");
  }

  @Test
  void should_say_when_java_home_is_the_java_running() {
    Finding f = JavaCheck.check(Runtime.version(), "", HOME, HOME + "/");
    assertThat(f.status()).isEqualTo(Finding.Status.OK);
    assertThat(f.message()).endsWith(" (JAVA_HOME)");
  }

  @Test
  void should_warn_when_java_home_holds_no_java() throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    Finding f = JavaCheck.check(Runtime.version(), "", HOME, dir.toString());
    assertThat(f.status()).isEqualTo(Finding.Status.WARN);
    assertThat(f.message()).contains("JAVA_HOME=" + dir + " has no bin/java");
    assertThat(f.fix()).isEqualTo("set JAVA_HOME to a Java 17 or newer, or unset it.");
  }

  @Test
  void should_name_another_java_home_that_is_not_used() throws Exception {
    Path java = Files.createDirectories(dir.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    java.toFile().setExecutable(true);
    Finding f = JavaCheck.check(Runtime.version(), "", HOME, dir.toString());
    assertThat(f.status()).isEqualTo(Finding.Status.OK);
    assertThat(f.message()).endsWith("JAVA_HOME=" + dir + " is another Java, not used");
  }
}
