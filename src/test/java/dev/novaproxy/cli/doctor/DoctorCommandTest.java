package dev.novaproxy.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.RunningProxy;
import dev.novaproxy.testing.TestZip;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code novaproxy doctor} through {@code Main.run}, as a user runs it: AWS is moto (which has no
 * iam:SimulatePrincipalPolicy, so the permissions check must say it could not check; the simulation
 * itself is tested in {@link PermissionsCheckTest}), Nova is the loopback {@link FakeNova}, and the
 * "deployed" proxy is the real local proxy on loopback.
 */
@ExtendWith(MotoServer.class)
class DoctorCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "nova-key-doctor-must-never-show-9f3e1c";
  private static final List<String> NAMES =
      List.of(
          "java",
          "region",
          "credentials",
          "permissions",
          "secret",
          "deployment",
          "nova-api",
          "proxy-url",
          "stream-url");

  @TempDir Path dir;
  private final List<CliRun> runs = new ArrayList<>();

  @BeforeEach
  void isolateConfig() {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("cfg/config.json").toString());
  }

  @AfterEach
  void noKeyAnywhere() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    for (CliRun r : runs) {
      assertThat(r.out() + r.err()).as("%s", r).doesNotContain(KEY);
    }
  }

  private CliRun run(String... args) {
    CliRun r = CliRun.run(args);
    runs.add(r);
    return r;
  }

  private static String[] aws(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private void setup() {
    CliRun r = CliRun.runWithStdin(KEY + "\n", aws("setup", "--api-key-stdin"));
    runs.add(r);
    assertThat(r.exitCode()).as("%s", r).isZero();
  }

  /** {@code doctor -o json} against moto, with Nova at {@code upstream}. */
  private CliRun doctorJson(Object upstream, String... extra) {
    List<String> args = new ArrayList<>(List.of("doctor", "--upstream-url", upstream.toString()));
    args.addAll(List.of(extra));
    args.addAll(List.of("-o", "json"));
    return run(aws(args.toArray(String[]::new)));
  }

  private CliRun deploy() throws IOException {
    CliRun r =
        CliRun.run(
            aws("deploy", "--artifact", TestZip.write(dir, "code").toString(), "--no-snapstart"));
    runs.add(r);
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  /** The checks by name, in the order printed; fails with the run when the output is not JSON. */
  private static Map<String, JsonNode> checks(CliRun r) {
    JsonNode array;
    try {
      array = JSON.readTree(r.out());
    } catch (IOException e) {
      throw new AssertionError(r.toString(), e);
    }
    assertThat(array.isArray()).as("%s", r).isTrue();
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    array.forEach(c -> byName.put(c.get("name").asText(), c));
    return byName;
  }

  private static int closedPort() throws IOException {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void should_pass_with_the_secret_nova_and_a_proxy_that_answer() {
    setup();
    try (RunningProxy proxy = RunningProxy.start()) {
      CliRun r = doctorJson(proxy.nova.baseUrl(), "--url", proxy.server.baseUrl() + "/chat");
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.OK);
      Map<String, JsonNode> c = checks(r);
      assertThat(c.keySet()).containsExactlyElementsOf(NAMES);
      assertThat(status(c, "java")).isEqualTo("ok");
      assertThat(status(c, "region")).isEqualTo("ok");
      assertThat(c.get("credentials").get("status").asText()).isEqualTo("ok");
      assertThat(c.get("credentials").get("message").asText())
          .contains("123456789012")
          .contains("from Java system properties");
      // moto 5.2.1 answers SimulatePrincipalPolicy with an HTTP 500: a warning, not a failure.
      assertThat(status(c, "permissions")).isEqualTo("warn");
      assertThat(c.get("permissions").get("message").asText())
          .startsWith("could not check: IAM's policy simulator answered HTTP 500");
      assertThat(c.get("permissions").get("fix").asText()).contains("iam:SimulatePrincipalPolicy");
      assertThat(status(c, "secret")).isEqualTo("ok");
      assertThat(c.get("secret").get("message").asText())
          .contains("arn:aws:secretsmanager:us-east-1:123456789012:secret:backend/NovaApiKey");
      assertThat(status(c, "deployment")).isEqualTo("warn");
      assertThat(c.get("deployment").get("fix").asText()).isEqualTo("run 'novaproxy deploy'.");
      assertThat(status(c, "nova-api")).isEqualTo("ok");
      assertThat(c.get("nova-api").get("message").asText()).contains("answered HTTP 401");
      assertThat(status(c, "proxy-url")).isEqualTo("ok");
      assertThat(c.get("proxy-url").get("message").asText())
          .startsWith(proxy.server.baseUrl() + "/health answers (--url");
      assertThat(status(c, "stream-url")).isEqualTo("skip");
      // Nova was asked for its models without a key, and nothing else: no chat turn.
      assertThat(proxy.nova.requests())
          .singleElement()
          .satisfies(
              q -> {
                assertThat(q.method() + " " + q.path()).isEqualTo("GET /v1/models");
                assertThat(q.headers()).doesNotContainKey("authorization");
              });
    }
  }

  private static String status(Map<String, JsonNode> checks, String name) {
    return checks.get(name).get("status").asText();
  }

  @Test
  void should_print_one_line_per_check_with_a_mark_and_the_fix() {
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = run(aws("doctor", "--no-color", "--upstream-url", nova.baseUrl().toString()));
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
      List<String> lines = r.out().lines().toList();
      assertThat(lines).hasSize(NAMES.size() + 1);
      for (int i = 0; i < NAMES.size(); i++) {
        assertThat(lines.get(i)).matches("(ok  |warn|FAIL|skip)  " + NAMES.get(i) + " +\\S.*");
      }
      assertThat(r.out())
          .contains(
              "FAIL  secret       no secret backend/NovaApiKey in us-east-1. Fix: run 'novaproxy setup' to store the Nova key")
          .contains(
              "warn  deployment   novaproxy in us-east-1 is not deployed. Fix: run 'novaproxy deploy'.")
          .contains("skip  proxy-url    not checked: no deployed URL");
      assertThat(lines.get(lines.size() - 1)).isEqualTo("1 failed, 2 warnings.");
    }
  }

  @Test
  void should_fail_when_nova_cannot_be_reached() throws IOException {
    setup();
    CliRun r = doctorJson("http://127.0.0.1:" + closedPort() + "/v1");
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
    JsonNode nova = checks(r).get("nova-api");
    assertThat(nova.get("status").asText()).isEqualTo("fail");
    assertThat(nova.get("message").asText()).endsWith("/v1/models: connection refused");
    assertThat(nova.get("fix").asText()).contains("--upstream-url");
  }

  @Test
  void should_fail_without_credentials_and_say_how_to_get_them() {
    MotoServer.removeCredentials();
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = doctorJson(nova.baseUrl());
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
      Map<String, JsonNode> c = checks(r);
      assertThat(status(c, "credentials")).isEqualTo("fail");
      assertThat(c.get("credentials").get("message").asText())
          .isEqualTo("No AWS credentials found");
      assertThat(c.get("credentials").get("fix").asText())
          .isEqualTo("run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile.");
      for (String later : List.of("permissions", "secret", "deployment")) {
        assertThat(status(c, later)).isEqualTo("skip");
        assertThat(c.get(later).get("message").asText())
            .isEqualTo("not checked: needs credentials");
      }
      assertThat(status(c, "nova-api")).isEqualTo("ok");
    } finally {
      MotoServer.useFakeCredentials();
    }
  }

  @Test
  void should_name_the_profile_the_credentials_came_from() throws IOException {
    Path credentials = dir.resolve("aws/credentials");
    Files.createDirectories(credentials.getParent());
    Files.writeString(
        credentials, "[deployer]\naws_access_key_id = testing\naws_secret_access_key = testing\n");
    MotoServer.removeCredentials();
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = doctorJson(nova.baseUrl(), "--profile", "deployer");
      JsonNode c = checks(r).get("credentials");
      assertThat(c.get("status").asText()).as("%s", r).isEqualTo("ok");
      assertThat(c.get("message").asText()).endsWith(", from profile deployer in ~/.aws)");
    } finally {
      MotoServer.useFakeCredentials();
    }
  }

  @Test
  void should_fail_on_a_secret_scheduled_for_deletion() {
    setup();
    CliRun destroy = CliRun.run(aws("destroy", "--yes", "--delete-secret"));
    runs.add(destroy);
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = doctorJson(nova.baseUrl());
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
      JsonNode secret = checks(r).get("secret");
      assertThat(secret.get("status").asText()).isEqualTo("fail");
      assertThat(secret.get("message").asText())
          .startsWith("backend/NovaApiKey is scheduled for deletion on ");
      assertThat(secret.get("fix").asText())
          .isEqualTo("run 'novaproxy setup' to restore it and store the key again.");
    }
  }

  @Test
  void should_fail_without_a_region_and_say_where_to_set_one() {
    try (FakeNova nova = FakeNova.start()) {
      // The test JVM has no AWS_REGION and no ~/.aws/config (MotoServer points the SDK elsewhere).
      assertThat(System.getenv("AWS_REGION")).isNull();
      CliRun r =
          run(
              "doctor",
              "--endpoint-url",
              MotoServer.endpoint().toString(),
              "--upstream-url",
              nova.baseUrl().toString(),
              "-o",
              "json");
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
      Map<String, JsonNode> c = checks(r);
      assertThat(status(c, "region")).isEqualTo("fail");
      assertThat(c.get("region").get("message").asText()).isEqualTo("No AWS region");
      assertThat(c.get("region").get("fix").asText()).startsWith("pass --region");
      assertThat(status(c, "credentials")).isEqualTo("skip");
    }
  }

  @Test
  void should_give_every_check_the_same_four_fields_in_json() {
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = doctorJson(nova.baseUrl());
      for (JsonNode check : checks(r).values()) {
        List<String> fields = new ArrayList<>();
        check.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("name", "status", "message", "fix");
        assertThat(check.get("status").asText()).isIn("ok", "warn", "fail", "skip");
        assertThat(check.get("message").isTextual()).isTrue();
        boolean problem = check.get("status").asText().matches("warn|fail");
        assertThat(check.get("fix").isTextual()).as("%s", check).isEqualTo(problem);
      }
    }
  }

  @Test
  void should_make_no_aws_call_with_skip_aws_and_check_the_saved_url() throws Exception {
    try (RunningProxy proxy = RunningProxy.start()) {
      Path config = dir.resolve("cfg/config.json");
      Files.createDirectories(config.getParent());
      Files.writeString(config, "{\"url\": \"" + proxy.server.baseUrl() + "/chat\"}");
      // AWS at a closed port: any call would fail the run.
      CliRun r =
          run(
              "doctor",
              "--skip-aws",
              "--endpoint-url",
              "http://127.0.0.1:" + closedPort(),
              "--upstream-url",
              proxy.nova.baseUrl().toString(),
              "-o",
              "json");
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.OK);
      Map<String, JsonNode> c = checks(r);
      for (String aws : List.of("region", "credentials", "permissions", "secret", "deployment")) {
        assertThat(status(c, aws)).isEqualTo("skip");
      }
      assertThat(status(c, "proxy-url")).isEqualTo("ok");
      assertThat(c.get("proxy-url").get("message").asText()).contains("(saved by deploy");
    }
  }

  @Test
  void should_find_the_deployment_after_a_deploy() throws Exception {
    setup();
    CliRun deploy = deploy();
    String url =
        deploy.out().lines().filter(l -> l.startsWith("https://")).findFirst().orElseThrow();
    // --url: moto's deployed URLs are under amazonaws.com and on.aws, and tests call only loopback
    // (which URLs doctor picks is DoctorTargetsTest's).
    try (RunningProxy proxy = RunningProxy.start()) {
      CliRun r = doctorJson(proxy.nova.baseUrl(), "--url", proxy.server.baseUrl().toString());
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.OK);
      Map<String, JsonNode> c = checks(r);
      assertThat(status(c, "deployment")).isEqualTo("ok");
      assertThat(c.get("deployment").get("message").asText())
          .isEqualTo("novaproxy in us-east-1 is deployed: " + url);
      assertThat(status(c, "secret")).isEqualTo("ok");
    }
  }

  @Test
  void should_fail_on_a_deployment_left_half_done() throws Exception {
    setup();
    deploy();
    try (var clients =
        new dev.novaproxy.aws.AwsClients(
            new dev.novaproxy.aws.AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      String apiId =
          clients.apis().getApis().items().stream()
              .filter(a -> a.name().equals("novaproxy"))
              .findFirst()
              .orElseThrow()
              .apiId();
      clients.apis().deleteApi(x -> x.apiId(apiId));
    }
    try (FakeNova nova = FakeNova.start()) {
      CliRun r = doctorJson(nova.baseUrl());
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CHECK_FAILED);
      JsonNode d = checks(r).get("deployment");
      assertThat(d.get("status").asText()).isEqualTo("fail");
      assertThat(d.get("message").asText())
          .startsWith("novaproxy in us-east-1 is only partly deployed or not working: ")
          .contains("api missing");
      assertThat(d.get("fix").asText()).startsWith("run 'novaproxy deploy' to finish it");
      assertThat(checks(r).get("proxy-url").get("status").asText()).isEqualTo("skip");
    }
  }

  @Test
  void should_refuse_bad_options_before_checking() {
    CliRun r = run("doctor", "--upstream-url", "ftp://x", "--skip-aws");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--upstream-url").contains("not an http(s) URL");
    CliRun t = run("doctor", "--timeout", "0", "--skip-aws");
    assertThat(t.exitCode()).isEqualTo(ExitCodes.USAGE);
  }
}
