package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --keys-table}: serve enforces the keys a deployment's table holds (moto). */
@ExtendWith(MotoServer.class)
class ServeKeysTableTest {
  private static final String TABLE = "novaproxy-keys";

  @TempDir Path dir;
  private AwsClients aws;

  @BeforeEach
  void setUp() {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    new KeysTable(
            aws, new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
        .apply(
            new KeysTable.Desired(TABLE, true, new ResourceNames("novaproxy").tags()),
            Optional.empty(),
            PlanStep.create(KeysTable.RESOURCE, TABLE));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private ServeCommand serve(String... args) {
    return ParsedCommand.of(args);
  }

  @Test
  void should_read_the_keys_that_keys_create_wrote_to_the_deployments_table() {
    CliRun created =
        CliRun.run(
            "keys",
            "create",
            "web-app",
            "--region",
            MotoServer.REGION,
            "--endpoint-url",
            MotoServer.endpoint().toString());
    assertThat(created.exitCode()).as("%s", created).isZero();
    String key = created.out().strip();

    ServeCommand serve =
        serve(
            "serve",
            "--keys-table",
            TABLE,
            "--anonymous",
            "deny",
            "--region",
            MotoServer.REGION,
            "--endpoint-url",
            MotoServer.endpoint().toString());
    var store = serve.limitsStore(Map.of());
    assertThat(store).isInstanceOf(DynamoLimitsStore.class);
    assertThat(store.findKey(ClientKey.hashOf(key)))
        .hasValueSatisfying(k -> assertThat(k.name()).isEqualTo("web-app"));
    assertThat(serve.limitsSettings().anonymous()).isFalse();
    assertThat(serve.limitsSettings().keysTable()).isEqualTo(TABLE);
  }

  @Test
  void should_refuse_two_stores() {
    ServeCommand serve = serve("serve", "--keys-table", TABLE, "--keys-file", "k.json");
    try {
      serve.limitsStore(Map.of());
      org.assertj.core.api.Assertions.fail("two stores accepted");
    } catch (CliException e) {
      assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(e.getMessage()).contains("--keys-table and --keys-file");
    }
  }
}
