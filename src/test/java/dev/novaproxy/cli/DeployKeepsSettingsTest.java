package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ClientAuth;
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
import software.amazon.awssdk.services.apigatewayv2.model.Cors;
import software.amazon.awssdk.services.apigatewayv2.model.RouteSettings;

/**
 * A deployment's settings outlive the command line that set them: a plain deploy (from this
 * machine, or from one with no config at all) changes nothing, removing a protection takes a word
 * of its own and is warned about, and a deploy cut short is finished with the settings it was
 * given. Against moto, through the command line.
 */
@ExtendWith(MotoServer.class)
class DeployKeepsSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HASH = ClientAuth.sha256Hex("np-client-token-for-tests");
  private static final String ORIGIN = "https://app.example.com";

  @TempDir Path dir;
  private Path code;
  private AwsClients aws;

  @BeforeEach
  void setUp() throws Exception {
    useConfig("laptop");
    code = TestZip.write(dir, "code v1");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  /** A machine of its own: a config file nobody has written yet. */
  private Path useConfig(String machine) {
    Path config = dir.resolve(machine).resolve("config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    return config;
  }

  private static String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String... extra) {
    List<String> a = new ArrayList<>(List.of("deploy", "--artifact", code.toString()));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private CliRun deployOk(String... extra) {
    CliRun r = deploy(extra);
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private void setup(String secretName) {
    CliRun r =
        CliRun.runWithStdin(
            "nova-key-0123456789\n", args("setup", "--api-key-stdin", "--secret-name", secretName));
    assertThat(r.exitCode()).as("%s", r).isZero();
  }

  /** What a deploy must not change by accident: the function, the API's CORS, the throttling. */
  private record Deployed(
      Map<String, String> env, int memory, Cors cors, RouteSettings throttle, String secret) {}

  private Deployed deployed() {
    var fn = aws.lambda().getFunctionConfiguration(x -> x.functionName("novaproxy-proxy"));
    var api =
        aws.apis().getApis(x -> {}).items().stream()
            .filter(a -> a.name().equals("novaproxy"))
            .findFirst()
            .orElseThrow();
    var stage = aws.apis().getStage(x -> x.apiId(api.apiId()).stageName("$default"));
    return new Deployed(
        fn.environment().variables(),
        fn.memorySize(),
        api.corsConfiguration(),
        stage.defaultRouteSettings(),
        fn.environment().variables().get("SECRET_MANAGER_SECRET_NAME"));
  }

  private static JsonNode json(CliRun r) throws Exception {
    assertThat(r.exitCode()).as("%s", r).isZero();
    return JSON.readTree(r.out());
  }

  private void deployProtected() {
    setup("team/NovaKey");
    deployOk(
        "--no-snapstart",
        "--secret-name",
        "team/NovaKey",
        "--client-token-sha256",
        HASH,
        "--max-tokens-cap",
        "500",
        "--allow-origin",
        ORIGIN,
        "--allow-model",
        "nova-2-lite-v1,nova-2-pro-v1",
        "--memory",
        "1024",
        "--throttle-rate",
        "5",
        "--throttle-burst",
        "9");
  }

  @Test
  void should_change_nothing_on_a_plain_redeploy() throws Exception {
    deployProtected();
    Deployed before = deployed();
    assertThat(before.env())
        .containsEntry("NOVA_CLIENT_TOKEN_SHA256", HASH)
        .containsEntry("NOVA_MAX_TOKENS_CAP", "500")
        .containsEntry("NOVA_ALLOWED_ORIGINS", ORIGIN);

    JsonNode plan =
        json(CliRun.run(args("deploy", "--artifact", code.toString(), "--dry-run", "-o", "json")));
    assertThat(plan.get("changes").asBoolean()).as("%s", plan).isFalse();
    assertThat(plan.get("settingsFrom").asText()).isEqualTo("the deployed function");
    assertThat(plan.get("settings").get("maxTokensCap").asText()).isEqualTo("500");
    assertThat(plan.get("settingChanges")).isEmpty();

    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes");
    assertThat(deployed()).isEqualTo(before);
  }

  @Test
  void should_change_nothing_from_a_machine_with_no_saved_config() throws Exception {
    deployProtected();
    Deployed before = deployed();

    Path fresh = useConfig("ci");
    assertThat(fresh).doesNotExist();
    CliRun dry = deployOk("--dry-run");
    assertThat(dry.out()).contains("no changes").contains("starting from the deployed function");
    assertThat(dry.err()).doesNotContain("warning");

    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes");
    assertThat(deployed()).isEqualTo(before);
    // The secret the function reads is kept though this machine never ran setup.
    assertThat(deployed().secret()).isEqualTo("team/NovaKey");
  }

  @Test
  void should_change_only_what_a_flag_names_and_say_old_and_new() throws Exception {
    deployProtected();
    CliRun dry = deployOk("--max-tokens-cap", "800", "--dry-run");
    assertThat(dry.out())
        .contains("maxTokensCap   800   (was 500)")
        .contains("environment NOVA_MAX_TOKENS_CAP 500 -> 800");
    assertThat(dry.err()).contains("warning: the max-tokens cap rises from 500 to 800");

    deployOk("--max-tokens-cap", "800");
    Deployed after = deployed();
    assertThat(after.env())
        .containsEntry("NOVA_MAX_TOKENS_CAP", "800")
        .containsEntry("NOVA_CLIENT_TOKEN_SHA256", HASH)
        .containsEntry("NOVA_ALLOWED_ORIGINS", ORIGIN)
        .containsEntry("NOVA_ALLOWED_MODELS", "nova-2-lite-v1,nova-2-pro-v1");
    assertThat(after.memory()).isEqualTo(1024);
    assertThat(after.cors().allowOrigins()).containsExactly(ORIGIN);
  }

  @Test
  void should_remove_protection_only_when_told_and_warn() throws Exception {
    deployProtected();
    CliRun open = deployOk("--no-client-tokens", "--allow-origin", "*", "--max-tokens-cap", "none");
    assertThat(open.err())
        .contains("warning: client tokens are removed")
        .contains("warning: allowed origins widen to '*'")
        .contains("warning: the max-tokens cap is removed");
    Deployed after = deployed();
    assertThat(after.env())
        .doesNotContainKeys("NOVA_CLIENT_TOKEN_SHA256", "NOVA_MAX_TOKENS_CAP")
        .containsEntry("NOVA_ALLOWED_ORIGINS", "*");
    assertThat(after.cors().allowOrigins()).containsExactly("*");

    CliRun closed = deployOk("--allow-origin", "none", "--allow-model", "any", "--dry-run");
    assertThat(closed.out()).contains("allowOrigins   none   (was [*])");
    assertThat(closed.err()).contains("warning: the allowed-models list is removed");
  }

  @Test
  void should_refuse_words_mixed_with_values() {
    deployProtected();
    CliRun mixed = deploy("--allow-origin", "none," + ORIGIN, "--dry-run");
    assertThat(mixed.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(mixed.err()).contains("--allow-origin none stands alone");
    CliRun both = deploy("--no-client-tokens", "--client-token-sha256", HASH, "--dry-run");
    assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRun badCap = deploy("--max-tokens-cap", "lots", "--dry-run");
    assertThat(badCap.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badCap.err()).contains("--max-tokens-cap takes a whole number");
  }

  @Test
  void should_check_a_new_default_model_against_the_deployed_allowed_models() {
    deployProtected();
    CliRun r = deploy("--default-model", "nova-premier-v1", "--dry-run");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("nova-premier-v1 is not among the allowed models");
  }

  @Test
  void should_finish_an_unfinished_deploy_with_the_settings_it_was_given() throws Exception {
    deployProtected();
    Path config = useConfig("laptop"); // the machine that deployed
    // moto does not implement UpdateStage: a throttling change fails at the stage step, after the
    // function was updated, as a real deploy interrupted there would.
    CliRun cut = deploy("--throttle-rate", "3", "--max-tokens-cap", "100");
    assertThat(cut.exitCode()).as("%s", cut).isNotZero();
    assertThat(cut.err()).contains("stage");
    JsonNode saved =
        JSON.readTree(Files.readString(config)).at("/deployments/123456789012/us-east-1/novaproxy");
    assertThat(saved.get("pending").asBoolean()).isTrue();
    assertThat(saved.get("throttleRate").asDouble()).isEqualTo(3.0);

    // Re-run with no flags: the stage's old throttling must not win over what was asked.
    JsonNode plan =
        json(CliRun.run(args("deploy", "--artifact", code.toString(), "--dry-run", "-o", "json")));
    assertThat(plan.get("settingsFrom").asText()).startsWith("the unfinished deploy of ");
    assertThat(plan.get("settings").get("throttleRate").asText()).isEqualTo("3/s");
    assertThat(plan.get("settings").get("maxTokensCap").asText()).isEqualTo("100");
  }

  @Test
  void should_save_the_settings_per_deployment_and_show_them() throws Exception {
    deployProtected();
    Path config = Path.of(System.getProperty(ConfigFile.PATH_PROPERTY));
    JsonNode saved =
        JSON.readTree(Files.readString(config)).at("/deployments/123456789012/us-east-1/novaproxy");
    assertThat(saved.get("pending").asBoolean()).isFalse();
    assertThat(saved.get("memory").asInt()).isEqualTo(1024);
    assertThat(saved.at("/environment/NOVA_MAX_TOKENS_CAP").asText()).isEqualTo("500");

    CliRun show = CliRun.run(args("config", "show"));
    assertThat(show.exitCode()).as("%s", show).isZero();
    assertThat(show.out())
        .contains("Deployment novaproxy in us-east-1")
        .contains("maxTokensCap   500")
        .contains("clientTokens   1 (" + HASH.substring(0, 8));
    JsonNode shown = json(CliRun.run(args("config", "show", "-o", "json")));
    assertThat(shown.at("/deployments/123456789012/us-east-1/novaproxy/settings/memory").asText())
        .isEqualTo("1024 MB");
  }

  @Test
  void should_send_the_key_elsewhere_only_to_an_allowed_host_and_keep_that_choice() {
    deployProtected();
    CliRun refused = deploy("--upstream-url", "https://nova.corp.example/v1", "--dry-run");
    assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("--allow-upstream-host");

    CliRun allowed =
        deployOk(
            "--upstream-url",
            "https://nova.corp.example/v1",
            "--allow-upstream-host",
            "nova.corp.example");
    assertThat(allowed.err())
        .contains(
            "warning: the Nova key will be sent to nova.corp.example, which is not the Nova API");
    assertThat(deployed().env())
        .containsEntry("NOVA_UPSTREAM_URL", "https://nova.corp.example/v1")
        .containsEntry("NOVA_UPSTREAM_ALLOWED_HOSTS", "nova.corp.example");

    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes");
    assertThat(plain.err()).doesNotContain("warning");

    CliRun stillUsed = deploy("--allow-upstream-host", "none", "--dry-run");
    assertThat(stillUsed.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(stillUsed.err()).contains("nova.corp.example");
  }

  @Test
  void should_never_echo_a_password_in_an_upstream_url() {
    deployProtected();
    CliRun r =
        deploy("--upstream-url", "https://user:s3cr3t-pass@nova.corp.example/v1", "--dry-run");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).doesNotContain("s3cr3t-pass");
  }

  @Test
  void should_keep_the_deployed_secret_when_setup_saves_another() {
    deployProtected(); // reads team/NovaKey
    setup("other/NovaKey"); // saves secretName other/NovaKey in the config file
    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes");
    assertThat(deployed().secret()).isEqualTo("team/NovaKey");
    deployOk("--secret-name", "other/NovaKey");
    assertThat(deployed().secret()).isEqualTo("other/NovaKey");
  }

  @Test
  void should_not_bring_back_a_rotated_token_from_the_config_file() throws Exception {
    deployProtected();
    String old = ClientAuth.sha256Hex("np-old-token");
    assertThat(CliRun.run(args("config", "set", "clientTokenSha256", old)).exitCode()).isZero();
    String rotated = ClientAuth.sha256Hex("np-rotated-token");
    deployOk("--client-token-sha256", rotated);
    CliRun plain = deployOk();
    assertThat(plain.out()).contains("No changes");
    assertThat(deployed().env()).containsEntry("NOVA_CLIENT_TOKEN_SHA256", rotated);

    CliRun open = deployOk("--no-client-tokens");
    assertThat(open.err()).contains("warning: client tokens are removed");
    assertThat(deployed().env()).doesNotContainKey("NOVA_CLIENT_TOKEN_SHA256");
  }
}
