package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Files;
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
 * deploy's client-key and limit flags through the command line, against moto: they are settings of
 * the deployment like the others (kept by a plain deploy, changed only when named, removed only by
 * the word none, warned about when they open the proxy), and destroy keeps the keys table unless
 * told.
 */
@ExtendWith(MotoServer.class)
class DeployLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path config;
  private Path code;
  private AwsClients aws;

  @BeforeEach
  void setUp() throws Exception {
    config = dir.resolve("laptop/config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    code = TestZip.write(dir, "code v1");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    CliRun setup = CliRun.runWithStdin("nova-key-0123456789\n", args("setup", "--api-key-stdin"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private static String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String... extra) {
    List<String> a =
        new ArrayList<>(List.of("deploy", "--artifact", code.toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private CliRun deployOk(String... extra) {
    CliRun r = deploy(extra);
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private Map<String, String> environment() {
    return aws.lambda()
        .getFunctionConfiguration(x -> x.functionName("novaproxy-proxy"))
        .environment()
        .variables();
  }

  private List<String> tables() {
    return aws.dynamodb().listTables().tableNames();
  }

  @Test
  void should_give_a_new_deployment_a_keys_table_and_keep_everything_on_a_plain_deploy()
      throws Exception {
    CliRun first = deployOk();
    assertThat(first.out()).contains("Keys table: novaproxy-keys");
    assertThat(tables()).containsExactly("novaproxy-keys");
    assertThat(environment())
        .containsEntry("NOVA_KEYS_TABLE", "novaproxy-keys")
        .doesNotContainKeys("NOVA_ANONYMOUS", "NOVA_DAILY_TOKEN_BUDGET");

    deployOk("--anonymous", "deny", "--anonymous-rpm", "10", "--daily-token-budget", "5000");
    assertThat(environment())
        .containsEntry("NOVA_ANONYMOUS", "deny")
        .containsEntry("NOVA_ANONYMOUS_RPM", "10")
        .containsEntry("NOVA_DAILY_TOKEN_BUDGET", "5000");

    // From another machine, with no saved settings: nothing to change.
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("ci/config.json").toString());
    CliRun dry = deployOk("--dry-run", "-o", "json");
    JsonNode plan = JSON.readTree(dry.out());
    assertThat(plan.get("changes").asBoolean()).as("%s", dry).isFalse();
    assertThat(plan.at("/settings/keys").asText()).isEqualTo("on");
    assertThat(plan.at("/settings/anonymous").asText()).isEqualTo("deny");
    assertThat(plan.at("/settings/anonymousRpm").asText()).isEqualTo("10");
    assertThat(plan.at("/settings/anonymousTokensPerDay").asText()).isEqualTo("none");
    assertThat(plan.at("/settings/dailyTokenBudget").asText()).isEqualTo("5000");
    assertThat(deployOk().out()).contains("No changes");
  }

  @Test
  void should_change_only_the_named_limit_and_warn_when_one_opens() {
    deployOk("--anonymous", "deny", "--anonymous-rpm", "10", "--daily-token-budget", "5000");

    CliRun budget = deployOk("--daily-token-budget", "8000", "--dry-run");
    assertThat(budget.out())
        .contains("dailyTokenBudget 8000   (was 5000)")
        .contains("environment NOVA_DAILY_TOKEN_BUDGET 5000 -> 8000");
    assertThat(budget.err()).contains("warning: the daily token budget rises from 5000 to 8000");

    CliRun open =
        deployOk("--anonymous", "allow", "--anonymous-rpm", "none", "--daily-token-budget", "none");
    assertThat(open.err())
        .contains("warning: anonymous callers are allowed: anyone with the URL can call")
        .contains("warning: the anonymous per-IP rate is removed")
        .contains("warning: the daily token budget is removed");
    assertThat(environment())
        .doesNotContainKeys("NOVA_ANONYMOUS", "NOVA_ANONYMOUS_RPM", "NOVA_DAILY_TOKEN_BUDGET")
        .containsEntry("NOVA_KEYS_TABLE", "novaproxy-keys");

    // Closing again is not an opening.
    CliRun close = deployOk("--anonymous-tokens-per-day", "2000");
    assertThat(close.err()).doesNotContain("warning");
    assertThat(environment()).containsEntry("NOVA_ANONYMOUS_TOKENS_PER_DAY", "2000");
  }

  @Test
  void should_keep_the_table_with_no_keys_and_never_make_one_for_a_deployment_without() {
    deployOk();
    CliRun off = deployOk("--no-keys");
    assertThat(off.err()).contains("warning: client keys are turned off");
    assertThat(environment()).doesNotContainKey("NOVA_KEYS_TABLE");
    assertThat(tables()).containsExactly("novaproxy-keys");
    CliRun dry = deployOk("--dry-run");
    assertThat(dry.out())
        .containsPattern("unchanged\\s+keys-table\\s+novaproxy-keys \\(kept, not used: --no-keys");

    // A deployment without a table (as before client keys) gets none from a plain deploy.
    aws.dynamodb().deleteTable(x -> x.tableName("novaproxy-keys"));
    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes").doesNotContain("Keys table");
    assertThat(tables()).isEmpty();
    deployOk("--keys");
    assertThat(tables()).containsExactly("novaproxy-keys");
    assertThat(environment()).containsEntry("NOVA_KEYS_TABLE", "novaproxy-keys");
  }

  @Test
  void should_refuse_bad_values_before_calling_aws() {
    for (String[] bad :
        List.of(
            new String[] {"--keys", "--no-keys"},
            new String[] {"--daily-token-budget", "lots"},
            new String[] {"--anonymous-rpm", "0"},
            new String[] {"--anonymous-tokens-per-day", "-5"},
            new String[] {"--anonymous", "maybe"},
            new String[] {"--no-keys", "--anonymous", "deny"})) {
      CliRun r = deploy(bad);
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().lines().findFirst().orElseThrow()).startsWith("novaproxy: ");
    }
    assertThat(deploy("--daily-token-budget", "lots").err())
        .contains(
            "--daily-token-budget takes a whole number of at least 1, or 'none', not 'lots'.");
    assertThat(deploy("--no-keys", "--anonymous", "deny").err())
        .contains("--anonymous deny without client keys would refuse every caller");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
    assertThat(tables()).isEmpty();
  }

  @Test
  void should_bring_back_keys_and_limits_after_destroy_and_delete_the_table_only_when_told()
      throws Exception {
    deployOk("--daily-token-budget", "5000");
    JsonNode saved =
        JSON.readTree(Files.readString(config)).at("/deployments/123456789012/us-east-1/novaproxy");
    assertThat(saved.get("keys").asBoolean()).isTrue();
    assertThat(saved.at("/environment/NOVA_DAILY_TOKEN_BUDGET").asText()).isEqualTo("5000");

    CliRun destroy = CliRun.run(args("destroy", "--yes", "-o", "json"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(JSON.readTree(destroy.out()).get("keysTableKept").asBoolean()).isTrue();
    assertThat(tables()).containsExactly("novaproxy-keys");

    // Nothing deployed: the settings last deployed from here come back, the table is reused.
    CliRun again = deployOk();
    assertThat(again.err()).doesNotContain("warning");
    assertThat(environment())
        .containsEntry("NOVA_KEYS_TABLE", "novaproxy-keys")
        .containsEntry("NOVA_DAILY_TOKEN_BUDGET", "5000");

    CliRun all = CliRun.run(args("destroy", "--yes", "--delete-data", "-o", "json"));
    assertThat(all.exitCode()).as("%s", all).isZero();
    JsonNode d = JSON.readTree(all.out());
    assertThat(d.get("keysTableKept").asBoolean()).isFalse();
    assertThat(d.get("deleted"))
        .extracting(n -> n.get("resource").asText())
        .containsExactly("api", "stream-url", "function", "role", "keys-table");
    assertThat(tables()).isEmpty();
  }
}
