package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * --model-alias on serve and deploy: refused when malformed or when it names a model the allowed
 * list refuses; deployed as NOVA_MODEL_ALIASES, kept by a plain redeploy, removed with 'none'.
 */
@ExtendWith(MotoServer.class)
class ModelAliasFlagsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AwsClients aws;

  @BeforeEach
  void setUp() {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("cfg/config.json").toString());
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private static void usage(CliRun r, String message) {
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as("%s", r).hasSize(1);
    assertThat(r.err()).contains(message);
  }

  @Test
  void should_refuse_bad_aliases_before_serving() {
    usage(
        CliRun.run("serve", "--port", "0", "--model-alias", "chat"),
        "--model-alias: a model alias is NAME=MODEL, e.g. chat=nova-2-lite-v1, not 'chat'.");
    usage(
        CliRun.run("serve", "--port", "0", "--model-alias", "a=b,b=nova-2-pro-v1"),
        "--model-alias: the model alias a=b must name a Nova model, not an alias.");
    usage(
        CliRun.run("serve", "--port", "0", "--model-alias", "none,chat=nova-2-pro-v1"),
        "--model-alias none stands alone");
    usage(
        CliRun.run(
            "serve",
            "--port",
            "0",
            "--allow-model",
            "nova-2-lite-v1",
            "--model-alias",
            "chat=nova-2-pro-v1"),
        "The model alias chat=nova-2-pro-v1 names a model that is not among the allowed models"
            + " [nova-2-lite-v1]; allow it with --allow-model or change the alias with"
            + " --model-alias.");
    // Aliases to allowed models (and a default model that is one) pass the alias checks: the
    // error comes from the next check, so serve never starts listening here.
    usage(
        CliRun.run(
            "serve",
            "--port",
            "0",
            "--allow-model",
            "nova-2-lite-v1",
            "--default-model",
            "chat",
            "--model-alias",
            "chat=nova-2-lite-v1,big=nova-2-lite-v1",
            "--max-body-bytes",
            "1"),
        "--max-body-bytes must be at least 1024.");
  }

  private String[] args(String... given) {
    List<String> all = new ArrayList<>(List.of(given));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String... extra) throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of("deploy", "--artifact", TestZip.write(dir, "v1").toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    CliRun r = CliRun.run(args(a.toArray(String[]::new)));
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private Map<String, String> environment() {
    return aws.lambda()
        .getFunction(x -> x.functionName("novaproxy-proxy").qualifier("live"))
        .configuration()
        .environment()
        .variables();
  }

  @Test
  void should_deploy_aliases_keep_them_on_a_plain_redeploy_and_remove_them_with_none()
      throws Exception {
    assertThat(CliRun.runWithStdin("k-0123456789\n", args("setup", "--api-key-stdin")).exitCode())
        .isZero();
    deploy();
    CliRun dry = deploy("--model-alias", "chat=nova-2-pro-v1", "--dry-run");
    assertThat(dry.out()).containsPattern("modelAliases\\s+chat=nova-2-pro-v1\\s+\\(was none\\)");

    deploy("--model-alias", "chat=nova-2-pro-v1", "--model-alias", "small=nova-2-lite-v1");
    assertThat(environment())
        .containsEntry(ProxySettings.ENV_MODEL_ALIASES, "chat=nova-2-pro-v1,small=nova-2-lite-v1");
    // The version's note says what changed.
    JsonNode status = JSON.readTree(CliRun.run(args("status", "-o", "json")).out());
    assertThat(status.at("/versions/recent/0/changes").asText())
        .isEqualTo(
            "environment NOVA_MODEL_ALIASES (unset) -> chat=nova-2-pro-v1,small=nova-2-lite-v1");

    CliRun plain = deploy("-o", "json");
    assertThat(JSON.readTree(plain.out()).get("changed").asBoolean()).isFalse();
    assertThat(JSON.readTree(plain.out()).at("/settings/modelAliases").asText())
        .isEqualTo("chat=nova-2-pro-v1,small=nova-2-lite-v1");

    deploy("--model-alias", "none");
    assertThat(environment()).doesNotContainKey(ProxySettings.ENV_MODEL_ALIASES);
  }
}
