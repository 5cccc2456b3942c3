package dev.novaproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.chat.HistoryFile;
import dev.novaproxy.config.ConfigFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The unit tests' JVM has none of the developer's own settings: pom.xml's surefire configuration
 * drops the variables the CLI and the AWS SDK read and points the config file, the XDG directories
 * and user.home at target/test-home. (Checked by running the build with those variables set.)
 */
class IsolationTest {
  @Test
  void should_run_the_unit_tests_without_the_developers_settings() {
    assertThisJvmIsolated("test-home");
  }

  /** Checks the test JVM that runs this: the build's settings, under target/HOME_NAME. */
  static void assertThisJvmIsolated(String homeName) {
    String cleared = System.getProperty("test.clearedEnvironment");
    assertThat(cleared).as("pom.xml passes the list of variables it drops").isNotBlank();
    for (String name : cleared.split(",")) {
      assertThat(System.getenv(name.strip()))
          .as("%s reached the test JVM: pom.xml drops it", name.strip())
          .isNull();
    }
    Path home = Path.of("target", homeName).toAbsolutePath();
    assertThat(Path.of(System.getProperty("user.home"))).isEqualTo(home);
    assertThat(Path.of(System.getenv("XDG_CONFIG_HOME"))).isEqualTo(home);
    assertThat(Path.of(System.getenv("XDG_STATE_HOME"))).startsWithRaw(home);
    assertThat(ConfigFile.forCurrentUser().path()).startsWithRaw(home);
    assertThat(HistoryFile.forCurrentUser()).startsWithRaw(home);
  }
}
