package dev.novaproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The integration tests run without the developer's own settings: their JVM as the unit tests' is
 * (pom.xml's failsafe configuration mirrors surefire's), and the CLI processes they start through
 * {@link IsolatedEnvironment} even when the settings did reach this JVM.
 */
class IsolationIT {
  private static final String POISON = "poison-from-the-developers-shell";

  @TempDir Path home;

  @Test
  void should_run_the_integration_tests_without_the_developers_settings() {
    IsolationTest.assertThisJvmIsolated("it-home");
  }

  /** A child of this JVM as if the developer's shell had set everything the CLI reads. */
  private ProcessBuilder poisonedThenIsolated(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    for (String name :
        List.of(
            "NOVA_API_KEY",
            "NOVA_UPSTREAM_URL",
            "NOVAPROXY_NAME",
            "NOVAPROXY_URL",
            "NOVAPROXY_SECRET_NAME",
            "NOVAPROXY_PORT",
            "NOVAPROXY_CLIENT_TOKEN",
            "AWS_REGION",
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_LAMBDA",
            "SECRET_MANAGER_SECRET_NAME",
            "NO_COLOR")) {
      env.put(name, POISON);
    }
    env.put("NOVAPROXY_JAVA_OPTS", "-Dnovaproxy.config=/" + POISON + "/a.json");
    env.put("JAVA_TOOL_OPTIONS", "-Dnovaproxy.config=/" + POISON + "/b.json");
    env.put("JDK_JAVA_OPTIONS", "-Dnovaproxy.config=/" + POISON + "/c.json");
    env.put("HOME", "/" + POISON);
    env.put("XDG_CONFIG_HOME", "/" + POISON);
    env.put("XDG_STATE_HOME", "/" + POISON);
    return IsolatedEnvironment.apply(pb, home);
  }

  private static String run(ProcessBuilder pb) throws Exception {
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void should_give_a_started_process_none_of_the_settings_this_jvm_inherited() throws Exception {
    String env = run(poisonedThenIsolated("env"));
    assertThat(env).doesNotContain(POISON).contains("HOME=" + home + "\n");
  }

  @Test
  void should_start_the_cli_with_its_config_in_the_tests_home_and_every_setting_at_its_default()
      throws Exception {
    String launcher = Path.of(System.getProperty("novaproxy.dist"), "novaproxy").toString();
    String out = run(poisonedThenIsolated(launcher, "config", "show", "-o", "json"));
    assertThat(out).doesNotContain(POISON);
    JsonNode shown = new ObjectMapper().readTree(out);
    assertThat(shown.path("configFile").asText())
        .isEqualTo(home.resolve(".config/novaproxy/config.json").toString());
    for (JsonNode setting : shown.path("settings")) {
      assertThat(setting.path("source").asText()).as("%s", setting).isIn("default", "none");
    }
  }
}
