package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code -o json} documents are an interface scripts depend on: each command's top-level keys
 * (and the keys of its list items) exactly as docs/readme-finish.md lists them. AWS commands run
 * against moto.
 */
@ExtendWith(MotoServer.class)
class JsonShapesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private String saved;

  @BeforeEach
  void config() {
    saved = System.getProperty(ConfigFile.PATH_PROPERTY);
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(ConfigFile.PATH_PROPERTY);
    } else {
      System.setProperty(ConfigFile.PATH_PROPERTY, saved);
    }
  }

  private static String[] aws(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--region",
            MotoServer.REGION,
            "--endpoint-url",
            MotoServer.endpoint().toString(),
            "-o",
            "json"));
    return all.toArray(String[]::new);
  }

  private static JsonNode json(CliRun r, int exitCode) throws Exception {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(exitCode);
    return JSON.readTree(r.out());
  }

  private static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void should_keep_the_documented_shapes_of_the_aws_commands() throws Exception {
    Path code = TestZip.write(dir, "code");
    JsonNode setup = json(CliRun.runWithStdin("k-123456789\n", aws("setup", "--api-key-stdin")), 0);
    assertThat(keys(setup))
        .containsExactlyInAnyOrder(
            "secretArn",
            "secretName",
            "created",
            "adopted",
            "restored",
            "region",
            "name",
            "config");

    JsonNode plan =
        json(
            CliRun.run(aws("deploy", "--dry-run", "--artifact", code.toString(), "--no-snapstart")),
            0);
    assertThat(keys(plan))
        .containsExactlyInAnyOrder(
            "name",
            "region",
            "dryRun",
            "changes",
            "settingsFrom",
            "settings",
            "settingChanges",
            "warnings",
            "cost",
            "plan");
    assertThat(plan.get("settings").get("maxTokensCap").asText()).isEqualTo("none");
    assertThat(keys(plan.get("cost")))
        .containsExactlyInAnyOrder(
            "chats",
            "chatSeconds",
            "currency",
            "prices",
            "arch",
            "memoryMb",
            "lambda",
            "defaultMemoryMb",
            "defaultLambda",
            "httpApiExtra",
            "streamUrlExtra");
    assertThat(keys(plan.get("plan").get(0)))
        .containsExactlyInAnyOrder("resource", "name", "action", "changes");

    JsonNode deploy =
        json(CliRun.run(aws("deploy", "--artifact", code.toString(), "--no-snapstart")), 0);
    assertThat(keys(deploy))
        .containsExactlyInAnyOrder(
            "name",
            "region",
            "dryRun",
            "changed",
            "url",
            "streamUrl",
            "keysTable",
            "apiId",
            "secretArn",
            "roleArn",
            "functionArn",
            "aliasArn",
            "domainUrl",
            "awsCalls",
            "seconds",
            "settingsFrom",
            "settings",
            "settingChanges",
            "warnings",
            "plan",
            "version",
            "canary");

    JsonNode status = json(CliRun.run(aws("status")), 0);
    assertThat(keys(status))
        .containsExactlyInAnyOrder(
            "name",
            "region",
            "deployed",
            "url",
            "streamUrl",
            "domainUrl",
            "resources",
            "logGroup",
            "logRetentionDays",
            "alarms",
            "metrics",
            "versions",
            "exitCode");
    assertThat(keys(status.get("metrics")))
        .containsExactlyInAnyOrder("from", "to", "available", "note");
    assertThat(keys(status.get("versions")))
        .containsExactlyInAnyOrder("live", "canary", "previouslyLive", "total", "recent");
    assertThat(keys(status.get("versions").get("recent").get(0)))
        .containsExactlyInAnyOrder("version", "published", "role", "changes");
    for (JsonNode resource : status.get("resources")) {
      assertThat(keys(resource)).contains("kind", "name", "present");
    }

    JsonNode destroy = json(CliRun.run(aws("destroy", "--yes")), 0);
    assertThat(keys(destroy))
        .containsExactlyInAnyOrder(
            "name",
            "region",
            "secretKept",
            "keysTableKept",
            "logGroupKept",
            "secret",
            "deleted",
            "notFound");
    assertThat(keys(destroy.get("secret")))
        .containsExactlyInAnyOrder("name", "action", "reason", "deletionDate");
    assertThat(keys(destroy.get("deleted").get(0))).containsExactlyInAnyOrder("resource", "name");

    JsonNode gone = json(CliRun.run(aws("status")), ExitCodes.NOT_FOUND);
    assertThat(gone.get("deployed").asBoolean()).isFalse();
    assertThat(gone.get("exitCode").asInt()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void should_keep_the_documented_shapes_of_the_local_commands() throws Exception {
    JsonNode set = json(CliRun.run("config", "set", "region", "eu-west-1", "-o", "json"), 0);
    assertThat(keys(set)).containsExactlyInAnyOrder("key", "value", "configFile");
    JsonNode show = json(CliRun.run("config", "show", "-o", "json"), 0);
    assertThat(keys(show))
        .containsExactlyInAnyOrder("configFile", "exists", "settings", "deployments");
    JsonNode unset = json(CliRun.run("config", "unset", "region", "-o", "json"), 0);
    assertThat(keys(unset)).containsExactlyInAnyOrder("key", "removed", "configFile");
    JsonNode path = json(CliRun.run("config", "path", "-o", "json"), 0);
    assertThat(keys(path)).containsExactlyInAnyOrder("configFile", "exists");
    JsonNode completion = json(CliRun.run("completion", "bash", "-o", "json"), 0);
    assertThat(keys(completion)).containsExactlyInAnyOrder("shell", "script");
    assertThat(completion.get("script").asText()).isEqualTo(Completions.bash());
  }

  @Test
  void should_leave_stdout_empty_when_a_json_command_fails() {
    CliRun r = CliRun.run("status", "--url", "http://127.0.0.1:1", "-o", "json");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("novaproxy: ");
  }
}
