package dev.novaproxy.cli.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.cli.ExitCodes;
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
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * deploy's versions, rollback, deploy --canary and promote through the command line, against moto,
 * which implements PublishVersion (answering an unchanged $LATEST with the version published
 * before, as Lambda does), aliases with their description and RoutingConfig, and
 * ListVersionsByFunction. What moto cannot show is traffic actually split by the weights: that is
 * Lambda's part, checked here only as the alias's configuration.
 */
@ExtendWith(MotoServer.class)
class RolloutCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FUNCTION = "novaproxy-proxy";

  @TempDir Path dir;
  private AwsClients aws;

  @BeforeEach
  void setUp() {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("cfg/config.json").toString());
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    CliRun setup = CliRun.runWithStdin("nova-key-0123456789\n", args("setup", "--api-key-stdin"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private static String[] args(String... given) {
    List<String> all = new ArrayList<>(List.of(given));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String code, String... extra) throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of("deploy", "--artifact", TestZip.write(dir, code).toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private CliRun ok(CliRun r) {
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private static void fails(CliRun r, int code, String message) {
    assertThat(r.exitCode()).as("%s", r).isEqualTo(code);
    assertThat(r.err()).contains(message);
    assertThat(r.err().strip().lines()).as("one line: %s", r).hasSize(1);
  }

  private String live() {
    return aws.lambda().getAlias(x -> x.functionName(FUNCTION).name("live")).functionVersion();
  }

  private Map<String, Double> weights() {
    var routing = aws.lambda().getAlias(x -> x.functionName(FUNCTION).name("live")).routingConfig();
    return routing == null || routing.additionalVersionWeights() == null
        ? Map.of()
        : routing.additionalVersionWeights();
  }

  private List<String> versions() {
    return aws.lambda().listVersionsByFunction(x -> x.functionName(FUNCTION)).versions().stream()
        .map(FunctionConfiguration::version)
        .filter(v -> !v.equals("$LATEST"))
        .toList();
  }

  private JsonNode statusVersions() throws Exception {
    CliRun status = ok(CliRun.run(args("status", "-o", "json")));
    return JSON.readTree(status.out()).get("versions");
  }

  @Test
  void should_publish_a_version_noted_with_its_changes_only_when_something_changed()
      throws Exception {
    ok(deploy("v1"));
    assertThat(versions()).containsExactly("1");
    assertThat(live()).isEqualTo("1");

    CliRun same = ok(deploy("v1"));
    assertThat(same.out()).contains("No changes (");
    assertThat(versions()).as("a redeploy with nothing new publishes nothing").containsExactly("1");

    CliRun code = ok(deploy("v2", "-o", "json"));
    assertThat(JSON.readTree(code.out()).get("version").asText()).isEqualTo("2");
    assertThat(JSON.readTree(code.out()).get("canary").isNull()).isTrue();
    ok(deploy("v2", "--memory", "512"));
    assertThat(versions()).containsExactly("1", "2", "3");
    assertThat(live()).isEqualTo("3");

    JsonNode v = statusVersions();
    assertThat(v.get("live").asText()).isEqualTo("3");
    assertThat(v.get("total").asInt()).isEqualTo(3);
    assertThat(v.get("previouslyLive")).extracting(JsonNode::asText).containsExactly("2", "1");
    JsonNode recent = v.get("recent");
    assertThat(recent).extracting(n -> n.get("version").asText()).containsExactly("3", "2", "1");
    assertThat(recent)
        .extracting(n -> n.get("role").asText())
        .containsExactly("live", "previous", "");
    assertThat(recent.get(0).get("changes").asText()).isEqualTo("memory 256 -> 512");
    assertThat(recent.get(1).get("changes").asText()).startsWith("code ");
    assertThat(recent.get(2).get("changes").asText()).isEqualTo("first deploy");
    assertThat(recent.get(0).get("published").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    CliRun text = ok(CliRun.run(args("status")));
    assertThat(text.out())
        .contains("Versions (3 newest of 3;")
        .containsPattern("3\\s+live\\s+\\S+\\s+memory 256 -> 512")
        .containsPattern("2\\s+previous\\s+\\S+\\s+code ");

    // Both doors call the alias, so moving it moves both.
    String aliasArn = aws.lambda().getAlias(x -> x.functionName(FUNCTION).name("live")).aliasArn();
    String apiId = aws.apis().getApis().items().get(0).apiId();
    assertThat(aws.apis().getIntegrations(x -> x.apiId(apiId)).items().get(0).integrationUri())
        .isEqualTo(aliasArn);
    // The stream URL is the alias's (moto answers with the unqualified function ARN, so only the
    // qualifier it is found under is checked).
    assertThat(
            aws.lambda()
                .getFunctionUrlConfig(x -> x.functionName(FUNCTION).qualifier("live"))
                .functionUrl())
        .isNotBlank();
  }

  @Test
  void should_roll_back_step_by_step_and_to_a_named_version() throws Exception {
    ok(deploy("v1"));
    ok(deploy("v2"));
    ok(deploy("v3"));

    CliRun back = ok(CliRun.run(args("rollback")));
    assertThat(back.out()).contains("live: version 3 -> 2");
    assertThat(live()).isEqualTo("2");
    ok(CliRun.run(args("rollback")));
    assertThat(live()).isEqualTo("1");
    fails(
        CliRun.run(args("rollback")),
        ExitCodes.FAILURE,
        "There is no earlier version to roll back to: version 1");
    assertThat(versions()).as("no rebuild, no new version").containsExactly("1", "2", "3");

    JsonNode to = JSON.readTree(ok(CliRun.run(args("rollback", "--to", "3", "-o", "json"))).out());
    assertThat(to.get("from").asText()).isEqualTo("1");
    assertThat(to.get("live").asText()).isEqualTo("3");
    assertThat(to.get("changed").asBoolean()).isTrue();
    assertThat(live()).isEqualTo("3");
    // A plain rollback undoes the last move of live, here the --to.
    ok(CliRun.run(args("rollback")));
    assertThat(live()).isEqualTo("1");

    CliRun already = ok(CliRun.run(args("rollback", "--to", "1")));
    assertThat(already.out()).contains("Version 1 is already live; nothing changed.");
    fails(
        CliRun.run(args("rollback", "--to", "9")),
        ExitCodes.NOT_FOUND,
        "There is no version 9 of novaproxy-proxy (it has 3, 2, 1)");
    fails(
        CliRun.run(args("rollback", "--to", "latest")),
        ExitCodes.USAGE,
        "--to takes a version number such as 4, not 'latest'");
  }

  @Test
  void should_keep_the_live_versions_secret_on_a_plain_deploy_after_a_rollback() throws Exception {
    ok(deploy("v1"));
    String other = "backend/OtherKey-" + System.nanoTime();
    ok(
        CliRun.runWithStdin(
            "nova-key-9876543210\n", args("setup", "--secret-name", other, "--api-key-stdin")));
    CliRun moved = ok(deploy("v1", "--secret-name", other));
    assertThat(versions()).as("%s", moved).containsExactly("1", "2");
    ok(CliRun.run(args("rollback")));
    assertThat(live()).isEqualTo("1");

    // Version 1 reads the first secret; $LATEST still names the other one.
    ok(deploy("v1"));
    assertThat(versions()).as("nothing new to publish").containsExactly("1", "2");
    assertThat(live()).isEqualTo("1");
    var latest = aws.lambda().getFunctionConfiguration(x -> x.functionName(FUNCTION));
    assertThat(latest.environment().variables().get(ProxySettings.ENV_SECRET_NAME))
        .isEqualTo("backend/NovaApiKey");
  }

  @Test
  void should_start_the_next_deploy_from_the_rolled_back_version_and_publish_nothing_for_it()
      throws Exception {
    ok(deploy("v1"));
    ok(deploy("v1", "--memory", "512", "--max-tokens-cap", "300"));
    ok(CliRun.run(args("rollback")));
    assertThat(live()).isEqualTo("1");

    // The same code again, no flags: what is live (version 1's settings) stays; $LATEST, which
    // still held version 2's, is brought back to it without publishing a copy of version 1.
    CliRun again = ok(deploy("v1", "--dry-run"));
    assertThat(again.out())
        .contains("(starting from the deployed function)")
        .containsPattern("memory\\s+256 MB")
        .containsPattern("maxTokensCap\\s+none")
        .containsPattern("unchanged\\s+alias\\s+novaproxy-proxy:live -> version 1");
    ok(deploy("v1"));
    assertThat(versions()).containsExactly("1", "2");
    assertThat(live()).isEqualTo("1");
    assertThat(aws.lambda().getFunction(x -> x.functionName(FUNCTION)).configuration().memorySize())
        .isEqualTo(256);
  }

  @Test
  void should_run_a_canary_then_promote_it_or_drop_it() throws Exception {
    ok(deploy("v1"));
    CliRun plan = ok(deploy("v2", "--canary", "10", "--dry-run"));
    assertThat(plan.out()).contains("send it 10% of the traffic; version 1 stays live");

    CliRun canary = ok(deploy("v2", "--canary", "10"));
    assertThat(canary.out())
        .contains("Canary: version 2 gets 10% of the requests, version 1 the rest;");
    assertThat(live()).isEqualTo("1");
    assertThat(weights()).containsExactly(Map.entry("2", 0.1));
    JsonNode v = statusVersions();
    assertThat(v.get("canary").get("version").asText()).isEqualTo("2");
    assertThat(v.get("canary").get("percent").asInt()).isEqualTo(10);
    assertThat(v.get("recent").get(0).get("role").asText()).isEqualTo("canary");
    assertThat(ok(CliRun.run(args("status"))).out())
        .contains("Canary in progress: version 2 gets 10% of the requests;");

    fails(
        deploy("v3"),
        ExitCodes.FAILURE,
        "A canary is in progress (version 2 gets 10% of the traffic, version 1 is live): run"
            + " 'novaproxy promote' or 'novaproxy rollback' first, or deploy with"
            + " --replace-canary to drop it.");
    assertThat(versions()).containsExactly("1", "2");
    // Another code or other settings with --canary: not this canary, still refused.
    String inProgress = "A canary is in progress (version 2 gets 10% of the traffic";
    fails(deploy("v3", "--canary", "10"), ExitCodes.FAILURE, inProgress);
    fails(deploy("v2", "--canary", "10", "--memory", "512"), ExitCodes.FAILURE, inProgress);
    assertThat(versions()).containsExactly("1", "2");
    // The same code and settings with --canary: this deploy's own canary, kept; a new share moves
    // the same version's weight.
    assertThat(ok(deploy("v2", "--canary", "10")).out()).contains("No changes (");
    assertThat(ok(deploy("v2", "--canary", "30", "--dry-run")).out())
        .contains("send canary version 2 30% of the traffic (was 10%); version 1 stays live");
    assertThat(ok(deploy("v2", "--canary", "30")).out())
        .contains("Canary: version 2 gets 30% of the requests, version 1 the rest;");
    assertThat(weights()).containsExactly(Map.entry("2", 0.3));
    assertThat(live()).isEqualTo("1");
    assertThat(versions()).containsExactly("1", "2");
    // Without --canary (and no unfinished deploy --canary to finish) it is still a refusal.
    fails(deploy("v2"), ExitCodes.FAILURE, "A canary is in progress (version 2 gets 30%");

    CliRun promote = ok(CliRun.run(args("promote")));
    assertThat(promote.out()).contains("live: version 1 -> 2");
    assertThat(live()).isEqualTo("2");
    assertThat(weights()).isEmpty();
    fails(
        CliRun.run(args("promote")),
        ExitCodes.FAILURE,
        "There is no canary to promote: version 2 is live with all the traffic;");

    ok(deploy("v3", "--canary", "25"));
    assertThat(weights()).containsExactly(Map.entry("3", 0.25));
    CliRun drop = ok(CliRun.run(args("rollback")));
    assertThat(drop.out())
        .contains("Dropped the canary of version 3; version 2 stays live with all the traffic.");
    assertThat(live()).isEqualTo("2");
    assertThat(weights()).isEmpty();
    // The promote is what a plain rollback now undoes.
    assertThat(statusVersions().get("previouslyLive"))
        .extracting(JsonNode::asText)
        .containsExactly("1");
  }

  @Test
  void should_replace_a_canary_only_when_told_to() throws Exception {
    ok(deploy("v1"));
    ok(deploy("v2", "--canary", "5"));
    JsonNode replaced = JSON.readTree(ok(deploy("v3", "--replace-canary", "-o", "json")).out());
    assertThat(replaced.get("version").asText()).isEqualTo("3");
    assertThat(live()).isEqualTo("3");
    assertThat(weights()).isEmpty();
    // Version 2 never was live: rollback goes back to 1.
    ok(CliRun.run(args("rollback")));
    assertThat(live()).isEqualTo("1");
  }

  @Test
  void should_refuse_bad_rollout_requests_with_one_line_and_a_code() throws Exception {
    fails(CliRun.run(args("rollback")), ExitCodes.NOT_FOUND, "Nothing is deployed as novaproxy");
    fails(CliRun.run(args("promote")), ExitCodes.NOT_FOUND, "run 'novaproxy deploy'");
    fails(
        deploy("v1", "--canary", "10"),
        ExitCodes.FAILURE,
        "--canary needs a live version to compare with, and nothing is live yet;");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
    for (String bad : new String[] {"0", "100", "-5"}) {
      fails(
          deploy("v1", "--canary", bad),
          ExitCodes.USAGE,
          "--canary takes a share of the requests from 1 to 99 (percent)");
    }
    ok(deploy("v1"));
    fails(
        deploy("v1", "--canary", "10"),
        ExitCodes.FAILURE,
        "--canary needs a new version, but version 1 already runs this code with these settings;");
    assertThat(versions()).containsExactly("1");
  }
}
