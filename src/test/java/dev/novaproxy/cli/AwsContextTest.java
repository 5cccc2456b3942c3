package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.aws.AwsException;
import dev.novaproxy.config.ConfigFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings precedence: flags, then environment, then the config file, then defaults. */
class AwsContextTest {
  @TempDir Path dir;
  private ConfigFile config;

  @BeforeEach
  void setUp() {
    System.setProperty("aws.configFile", "/nonexistent/novaproxy-test/config");
    config = new ConfigFile(dir.resolve("config.json"));
    config.update(
        c -> c.put("region", "eu-west-1").put("name", "saved").put("secretName", "saved/Key"));
  }

  @Test
  void should_prefer_flags_then_environment_then_config() {
    var flags = new GlobalOptions();
    assertThat(AwsContext.resolve(flags, null, Map.of(), config).location().region())
        .isEqualTo("eu-west-1");
    assertThat(
            AwsContext.resolve(flags, null, Map.of("AWS_DEFAULT_REGION", "us-west-1"), config)
                .location()
                .region())
        .isEqualTo("us-west-1");
    assertThat(
            AwsContext.resolve(
                    flags,
                    null,
                    Map.of("AWS_REGION", "us-east-2", "AWS_DEFAULT_REGION", "us-west-1"),
                    config)
                .location()
                .region())
        .isEqualTo("us-east-2");
    flags.region = "ap-south-1";
    assertThat(
            AwsContext.resolve(flags, null, Map.of("AWS_REGION", "us-east-2"), config)
                .location()
                .region())
        .isEqualTo("ap-south-1");
  }

  @Test
  void should_take_name_secret_and_endpoint_in_the_same_order() {
    var flags = new GlobalOptions();
    var ctx =
        AwsContext.resolve(
            flags,
            null,
            Map.of("AWS_ENDPOINT_URL", "http://localhost:4566", "AWS_PROFILE", "dev"),
            config);
    assertThat(ctx.names().name()).isEqualTo("saved");
    assertThat(ctx.secretName()).isEqualTo("saved/Key");
    assertThat(ctx.location().endpoint()).hasToString("http://localhost:4566");
    assertThat(ctx.location().profile()).isEqualTo("dev");
    flags.name = "other";
    flags.endpointUrl = "http://127.0.0.1:5000";
    ctx =
        AwsContext.resolve(
            flags, "flag/Key", Map.of("AWS_ENDPOINT_URL", "http://localhost:4566"), config);
    assertThat(ctx.names().name()).isEqualTo("other");
    assertThat(ctx.secretName()).isEqualTo("flag/Key");
    assertThat(ctx.location().endpoint()).hasToString("http://127.0.0.1:5000");
  }

  @Test
  void should_default_the_name_and_secret() {
    var empty = new ConfigFile(dir.resolve("none.json"));
    var flags = new GlobalOptions();
    flags.region = "us-east-1";
    var ctx = AwsContext.resolve(flags, null, Map.of(), empty);
    assertThat(ctx.names().name()).isEqualTo("novaproxy");
    assertThat(ctx.secretName()).isEqualTo("backend/NovaApiKey");
    assertThat(ctx.location().endpoint()).isNull();
  }

  @Test
  void should_refuse_a_missing_region_and_a_bad_name() {
    var empty = new ConfigFile(dir.resolve("none.json"));
    assertThatThrownBy(() -> AwsContext.resolve(new GlobalOptions(), null, Map.of(), empty))
        .isInstanceOf(AwsException.class)
        .hasMessageContaining("No AWS region");
    var flags = new GlobalOptions();
    flags.name = "bad name!";
    assertThatThrownBy(() -> AwsContext.resolve(flags, null, Map.of(), config))
        .hasMessageContaining("cannot name AWS resources");
  }
}
