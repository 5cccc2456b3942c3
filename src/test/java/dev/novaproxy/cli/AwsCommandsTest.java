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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;

/** setup, deploy, status and destroy through the command line, against moto. */
@ExtendWith(MotoServer.class)
class AwsCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "nova-key-0123456789abcdef";

  @TempDir Path dir;
  private Path config;
  private Path code;
  private AwsClients aws;

  @BeforeEach
  void setUp() throws Exception {
    config = dir.resolve("cfg/config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    code = TestZip.write(dir, "code v1");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun setup() {
    CliRun r = CliRun.runWithStdin(KEY + "\n", args("setup", "--api-key-stdin"));
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private CliRun deploy(String... extra) {
    List<String> a =
        new ArrayList<>(List.of("deploy", "--artifact", code.toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private static void assertNoKey(CliRun r) {
    assertThat(r.out()).doesNotContain(KEY);
    assertThat(r.err()).doesNotContain(KEY);
  }

  @Test
  void should_store_the_key_from_stdin_and_save_the_config() throws Exception {
    CliRun r = setup();
    String arn = aws.secrets().describeSecret(x -> x.secretId("backend/NovaApiKey")).arn();
    assertThat(r.out()).contains("Created secret backend/NovaApiKey: " + arn);
    assertNoKey(r);
    // The trailing newline is not part of the key.
    assertThat(aws.secrets().getSecretValue(x -> x.secretId("backend/NovaApiKey")).secretString())
        .isEqualTo(KEY);
    JsonNode saved = JSON.readTree(config.toFile());
    assertThat(saved.get("region").asText()).isEqualTo("us-east-1");
    assertThat(saved.get("name").asText()).isEqualTo("novaproxy");
    assertThat(saved.get("secretName").asText()).isEqualTo("backend/NovaApiKey");
    assertThat(Files.readString(config)).doesNotContain(KEY);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");

    // Again with another key: a new value for the same secret.
    CliRun again =
        CliRun.runWithStdin("new-key-42\r\n", args("setup", "--api-key-stdin", "-o", "json"));
    assertThat(again.exitCode()).as("%s", again).isZero();
    JsonNode json = JSON.readTree(again.out());
    assertThat(json.get("created").asBoolean()).isFalse();
    assertThat(json.get("secretArn").asText()).isEqualTo(arn);
    assertThat(aws.secrets().getSecretValue(x -> x.secretId("backend/NovaApiKey")).secretString())
        .isEqualTo("new-key-42");
  }

  @Test
  void should_refuse_an_empty_key_and_write_nothing() {
    for (String input : new String[] {"", "\n", "   \n"}) {
      CliRun r =
          CliRun.runWithStdin(
              input, args("setup", "--api-key-stdin", "--secret-name", "custom/Key"));
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("The API key is empty; nothing was stored.");
    }
    assertThat(aws.secrets().listSecrets().secretList()).isEmpty();
    assertThat(config).doesNotExist();
  }

  @Test
  void should_refuse_to_deploy_without_a_secret() {
    CliRun r = deploy();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err())
        .contains(
            "There is no secret backend/NovaApiKey in us-east-1; run 'novaproxy setup' first");
  }

  @Test
  void should_walk_from_setup_to_a_url_and_back_to_nothing() throws Exception {
    setup();

    CliRun dry = deploy("--dry-run");
    assertThat(dry.exitCode()).as("%s", dry).isZero();
    assertThat(dry.out())
        .contains("Plan for novaproxy in us-east-1:")
        .containsPattern("create\\s+role\\s+novaproxy-proxy-role");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();

    CliRun first = deploy("-o", "json", "--allow-origin", "https://app.example.com");
    assertThat(first.exitCode()).as("%s", first).isZero();
    JsonNode out = JSON.readTree(first.out());
    String apiId = out.get("apiId").asText();
    String url = "https://" + apiId + ".execute-api.us-east-1.amazonaws.com/chat";
    assertThat(out.get("url").asText()).isEqualTo(url);
    assertThat(out.get("changed").asBoolean()).isTrue();
    assertThat(out.get("roleArn").asText())
        .isEqualTo("arn:aws:iam::123456789012:role/novaproxy-proxy-role");
    assertThat(out.get("aliasArn").asText()).endsWith(":function:novaproxy-proxy:live");
    // The keys table first, for a new deployment; the log group last.
    assertThat(out.get("plan")).hasSize(11);
    assertThat(out.get("keysTable").asText()).isEqualTo("novaproxy-keys");
    assertThat(out.get("awsCalls").asInt()).isPositive();
    assertThat(JSON.readTree(config.toFile()).get("url").asText()).isEqualTo(url);
    assertNoKey(first);

    CliRun second = deploy("--allow-origin", "https://app.example.com");
    assertThat(second.exitCode()).as("%s", second).isZero();
    assertThat(second.out()).contains("No changes (").contains(url);
    assertThat(second.err())
        .contains("Deploying novaproxy in us-east-1: no changes.")
        .doesNotContain("created")
        .doesNotContain("updated");

    CliRun status = CliRun.run(args("status", "-o", "json"));
    assertThat(status.exitCode()).as("%s", status).isZero();
    JsonNode st = JSON.readTree(status.out());
    assertThat(st.get("deployed").asBoolean()).isTrue();
    assertThat(st.get("url").asText()).isEqualTo(url);
    assertThat(st.get("resources"))
        .extracting(n -> n.get("kind").asText())
        .containsExactly(
            "secret",
            "role",
            "function",
            "alias",
            "api",
            "stage",
            "permission",
            "stream-url",
            "keys-table",
            "log-group");
    assertThat(st.get("resources")).allMatch(n -> n.get("present").asBoolean());
    assertThat(st.get("resources").get(7).get("state").asText()).isEqualTo("Streaming");
    String streamUrl = st.get("streamUrl").asText();
    assertThat(streamUrl).contains(".lambda-url.us-east-1.").endsWith("/chat");
    assertThat(JSON.readTree(config.toFile()).get("streamUrl").asText()).isEqualTo(streamUrl);
    assertThat(st.get("resources").get(3).get("version").asText()).isEqualTo("1");
    assertThat(st.get("resources").get(6).get("state").asText()).isEqualTo("ScopedToApi");

    CliRun text = CliRun.run(args("status"));
    assertThat(text.out())
        .contains("URL: " + url)
        .contains("Stream URL: " + streamUrl)
        .containsPattern("function\\s+present\\s+novaproxy-proxy");

    CliRun destroy = CliRun.run(args("destroy", "--yes"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(destroy.out()).contains("Destroyed novaproxy in us-east-1.");
    assertThat(destroy.err())
        .contains("api novaproxy (with its integration, routes and stage): deleted")
        .contains("stream-url novaproxy-proxy:live (with its two permissions): deleted")
        .contains("keys-table novaproxy-keys: kept, with the client keys and usage")
        .contains("log-group /aws/lambda/novaproxy-proxy: kept, with the logs")
        .contains("secret backend/NovaApiKey: kept");
    assertThat(aws.apis().getApis().items()).isEmpty();
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
    assertThat(aws.iam().listRoles().roles()).isEmpty();
    assertThat(aws.secrets().listSecrets().secretList()).hasSize(1);
    assertThat(JSON.readTree(config.toFile()).has("url")).isFalse();
    assertThat(JSON.readTree(config.toFile()).has("streamUrl")).isFalse();

    CliRun gone = CliRun.run(args("status"));
    assertThat(gone.exitCode()).as("%s", gone).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(gone.err()).contains("Not deployed; run 'novaproxy deploy'.");

    // Twice is fine; --delete-secret removes the last tagged resource.
    CliRun twice = CliRun.run(args("destroy", "--yes", "--delete-secret", "-o", "json"));
    assertThat(twice.exitCode()).as("%s", twice).isZero();
    JsonNode t = JSON.readTree(twice.out());
    assertThat(t.get("deleted"))
        .extracting(n -> n.get("resource").asText())
        .containsExactly("secret");
    assertThat(t.get("notFound"))
        .extracting(n -> n.get("resource").asText())
        .containsExactly("topic", "api", "stream-url", "function", "role");
    assertThat(
            aws.secrets()
                .listSecrets(
                    x ->
                        x.filters(
                            Filter.builder()
                                .key(FilterNameStringType.TAG_KEY)
                                .values("novaproxy:name")
                                .build()))
                .secretList())
        .isEmpty();
    assertThat(aws.secrets().listSecrets().secretList()).isEmpty();
  }

  @Test
  void should_report_a_partial_deployment_as_not_deployed() {
    setup();
    assertThat(deploy().exitCode()).isZero();
    String apiId = aws.apis().getApis().items().get(0).apiId();
    aws.apis().deleteApi(x -> x.apiId(apiId));
    CliRun r = CliRun.run(args("status"));
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).containsPattern("api\\s+missing");
    assertThat(r.err()).contains("Partly deployed").contains("run 'novaproxy deploy' to finish.");
  }

  @Test
  void should_report_an_api_missing_a_route_as_not_deployed_and_deploy_should_mend_it() {
    setup();
    assertThat(deploy().exitCode()).isZero();
    String apiId = aws.apis().getApis().items().get(0).apiId();
    String routeId =
        aws.apis().getRoutes(x -> x.apiId(apiId)).items().stream()
            .filter(route -> route.routeKey().equals("POST /chat"))
            .findFirst()
            .orElseThrow()
            .routeId();
    aws.apis().deleteRoute(x -> x.apiId(apiId).routeId(routeId));
    CliRun r = CliRun.run(args("status"));
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).contains("Routes 4/5");
    assertThat(deploy().exitCode()).isZero();
    CliRun again = CliRun.run(args("status"));
    assertThat(again.exitCode()).as("%s", again).isZero();
  }

  @Test
  void should_not_take_over_or_delete_a_secret_that_is_not_this_deployments() {
    CliRun first = setup();
    assertThat(first.exitCode()).isZero();
    // Another deployment name, the same (default) secret: refused, value unchanged.
    CliRun other =
        CliRun.runWithStdin("other-key\n", args("setup", "--api-key-stdin", "--name", "other"));
    assertThat(other.exitCode()).as("%s", other).isEqualTo(ExitCodes.FAILURE);
    assertThat(other.err()).contains("belongs to the novaproxy deployment 'novaproxy'");
    assertThat(aws.secrets().getSecretValue(x -> x.secretId("backend/NovaApiKey")).secretString())
        .isEqualTo(KEY);

    // Nor does that deployment's destroy --delete-secret delete it.
    CliRun otherDestroy =
        CliRun.run(args("destroy", "--yes", "--delete-secret", "--name", "other"));
    assertThat(otherDestroy.exitCode()).as("%s", otherDestroy).isZero();
    assertThat(otherDestroy.err())
        .contains(
            "secret backend/NovaApiKey: kept: it belongs to the novaproxy deployment 'novaproxy'");
    assertThat(aws.secrets().describeSecret(x -> x.secretId("backend/NovaApiKey")).deletedDate())
        .isNull();

    // A secret made outside novaproxy (no tag) survives destroy --delete-secret, which says so.
    aws.secrets().createSecret(x -> x.name("shared/Key").secretString("someone-elses"));
    CliRun destroy =
        CliRun.run(args("destroy", "--yes", "--delete-secret", "--secret-name", "shared/Key"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(destroy.err())
        .contains("secret shared/Key: kept: it was not created by novaproxy")
        .doesNotContain("scheduled for deletion");
    assertThat(aws.secrets().getSecretValue(x -> x.secretId("shared/Key")).secretString())
        .isEqualTo("someone-elses");
  }

  @Test
  void should_need_yes_to_destroy_without_a_terminal() {
    CliRun r = CliRun.run(args("destroy"));
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("pass --yes to confirm when not on a terminal");
  }

  @Test
  void should_not_touch_a_role_it_did_not_create() {
    setup();
    aws.iam()
        .createRole(
            x ->
                x.roleName("novaproxy-proxy-role")
                    .assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[]}"));
    CliRun r = deploy();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains(
            "An IAM role named novaproxy-proxy-role exists but is not tagged novaproxy:name=novaproxy");
    CliRun d = CliRun.run(args("destroy", "--yes"));
    assertThat(d.exitCode()).as("%s", d).isEqualTo(ExitCodes.FAILURE);
    assertThat(aws.iam().getRole(x -> x.roleName("novaproxy-proxy-role")).role()).isNotNull();
  }

  @Test
  void should_say_what_to_do_without_a_region() {
    CliRun r = CliRun.run("status", "--endpoint-url", MotoServer.endpoint().toString());
    // The test JVM has no AWS_REGION and no ~/.aws/config (MotoServer points the SDK elsewhere).
    assertThat(System.getenv("AWS_REGION")).isNull();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
    assertThat(r.err().strip())
        .isEqualTo(
            "novaproxy: No AWS region: pass --region (e.g. --region us-east-1), set AWS_REGION, or set one in your AWS profile.");
  }

  @Test
  void should_say_what_to_do_without_credentials() {
    MotoServer.removeCredentials();
    try {
      CliRun r = deploy();
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
      assertThat(r.err())
          .startsWith(
              "novaproxy: No AWS credentials found: run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile.");
      assertThat(r.err().lines().count()).isEqualTo(1);
      CliRun verbose = CliRun.run(args("status", "-v"));
      assertThat(verbose.err().lines().count()).isGreaterThan(1);
    } finally {
      MotoServer.useFakeCredentials();
    }
  }

  @Test
  void should_check_usage_before_calling_aws() {
    CliRun r = deploy("--timeout", "901");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--timeout must be between 3 and 900 seconds");
    CliRun missing = CliRun.run(args("deploy", "--artifact", dir.resolve("nope.jar").toString()));
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("nope.jar is not a file");
  }
}
