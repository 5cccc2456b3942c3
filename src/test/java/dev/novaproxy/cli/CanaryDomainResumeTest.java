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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.acm.model.CertificateStatus;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * A {@code deploy --canary N --domain NAME} that stops at the certificate wait starts its canary
 * first (the alias comes before the domain), so the re-run finds "a canary in progress": its own.
 * It must resume it, not refuse. A moto of this test's own issues a certificate {@value #ISSUE}
 * seconds after it is requested ({@code MOTO_ACM_VALIDATION_WAIT}): {@code --domain-wait 0s}, which
 * looks once, stops the first run; the test waits until ACM says ISSUED (moto's clock, not a timing
 * assertion) and runs the same command line again.
 */
class CanaryDomainResumeTest {
  private static final int ISSUE =
      15; // ample for a first run that checks once, on a loaded machine
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MotoServer.Separate moto;

  @TempDir Path dir;
  private AwsClients aws;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.separate(Map.of("MOTO_ACM_VALIDATION_WAIT", Integer.toString(ISSUE)));
  }

  @AfterAll
  static void stop() throws Exception {
    moto.close();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
    aws = null;
  }

  private String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  /** setup (once), a zone {@code zone}, and a first (live) deploy of v1 as {@code name}. */
  private void firstDeploy(String name, String zone) throws Exception {
    if (aws == null) {
      System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
      aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()));
      assertThat(CliRun.runWithStdin("k-123\n", args("setup", "--api-key-stdin")).exitCode())
          .isZero();
    }
    aws.route53().createHostedZone(r -> r.name(zone).callerReference(name));
    CliRun first =
        CliRun.run(
            args(
                "deploy",
                "--name",
                name,
                "--artifact",
                TestZip.write(dir, "v1").toString(),
                "--no-snapstart"));
    assertThat(first.exitCode()).as("%s", first).isZero();
  }

  private String[] canaryDeploy(String name, String domain, String percent) throws Exception {
    return args(
        "deploy",
        "--name",
        name,
        "--artifact",
        TestZip.write(dir, "v2").toString(),
        "--no-snapstart",
        "--canary",
        percent,
        "--domain",
        domain,
        "--domain-wait",
        "0s");
  }

  private static void stoppedAtTheCertificate(CliRun r) {
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("PENDING_VALIDATION after 0:00").doesNotContain("in progress");
  }

  private String function(String name) {
    return name + "-proxy";
  }

  private String live(String name) {
    return aws.lambda()
        .getAlias(x -> x.functionName(function(name)).name("live"))
        .functionVersion();
  }

  private Map<String, Double> weights(String name) {
    var routing =
        aws.lambda().getAlias(x -> x.functionName(function(name)).name("live")).routingConfig();
    return routing == null || routing.additionalVersionWeights() == null
        ? Map.of()
        : routing.additionalVersionWeights();
  }

  private List<String> versions(String name) {
    return aws
        .lambda()
        .listVersionsByFunction(x -> x.functionName(function(name)))
        .versions()
        .stream()
        .map(FunctionConfiguration::version)
        .filter(v -> !v.equals("$LATEST"))
        .toList();
  }

  /** The entry deploy saved for {@code name} in the config file. */
  private JsonNode saved(String name) throws Exception {
    JsonNode accounts =
        JSON.readTree(Files.readString(dir.resolve("config.json"))).path("deployments");
    return accounts.elements().next().path(MotoServer.REGION).path(name);
  }

  private void waitUntilIssued(String domain) throws Exception {
    String arn =
        aws.acm().listCertificates().certificateSummaryList().stream()
            .filter(c -> c.domainName().equals(domain))
            .findFirst()
            .orElseThrow()
            .certificateArn();
    long deadline = System.nanoTime() + (ISSUE + 60) * 1_000_000_000L;
    while (aws.acm().describeCertificate(r -> r.certificateArn(arn)).certificate().status()
        != CertificateStatus.ISSUED) {
      assertThat(System.nanoTime()).as("moto issues the certificate").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  @Test
  void should_resume_its_own_canary_when_the_same_command_line_is_run_again() throws Exception {
    firstDeploy("resume", "example.com");
    String[] deploy = canaryDeploy("resume", "chat.example.com", "10");

    stoppedAtTheCertificate(CliRun.run(deploy));
    // The canary started before the domain's wait: version 2 at 10%, version 1 live.
    assertThat(live("resume")).isEqualTo("1");
    assertThat(weights("resume")).containsExactly(Map.entry("2", 0.1));
    JsonNode pending = saved("resume");
    assertThat(pending.path("pending").asBoolean()).isTrue();
    assertThat(pending.path("canaryPercent").asInt()).isEqualTo(10);
    CliRun show = CliRun.run(args("config", "show"));
    assertThat(show.out())
        .contains("an unfinished deploy of")
        .containsPattern("canary\\s+10% to the new version");

    waitUntilIssued("chat.example.com");
    CliRun again = CliRun.run(deploy);
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.out())
        .contains("Canary: version 2 gets 10% of the requests, version 1 the rest;")
        .contains("Custom domain (the HTTP API, as below): https://chat.example.com");
    assertThat(versions("resume")).as("no second version").containsExactly("1", "2");
    assertThat(live("resume")).isEqualTo("1");
    assertThat(weights("resume")).containsExactly(Map.entry("2", 0.1));
    assertThat(aws.apis().getDomainNames().items())
        .anyMatch(d -> d.domainName().equals("chat.example.com"));
    assertThat(saved("resume").path("pending").asBoolean()).isFalse();
    assertThat(saved("resume").has("canaryPercent")).as("only an unfinished deploy's").isFalse();

    // Once finished, the same command line is a no-op like any other deploy.
    CliRun third = CliRun.run(deploy);
    assertThat(third.exitCode()).as("%s", third).isZero();
    assertThat(third.out()).contains("No changes (");
    assertThat(weights("resume")).containsExactly(Map.entry("2", 0.1));

    // promote still finishes the canary.
    assertThat(CliRun.run(args("promote", "--name", "resume")).exitCode()).isZero();
    assertThat(live("resume")).isEqualTo("2");
    assertThat(weights("resume")).isEmpty();
  }

  @Test
  void should_resume_with_a_plain_rerun_or_a_new_share_on_the_same_version() throws Exception {
    firstDeploy("share", "example.org");
    stoppedAtTheCertificate(CliRun.run(canaryDeploy("share", "api.example.org", "10")));
    assertThat(weights("share")).containsExactly(Map.entry("2", 0.1));

    // A plain re-run finishes the unfinished deploy as it was asked: the canary stays at 10%.
    // (It stops at the certificate again unless moto has issued it by then; either is a resume.)
    CliRun plain =
        CliRun.run(
            args(
                "deploy",
                "--name",
                "share",
                "--artifact",
                TestZip.write(dir, "v2").toString(),
                "--domain-wait",
                "0s"));
    assertThat(plain.err()).doesNotContain("in progress");
    assertThat(plain.exitCode()).as("%s", plain).isIn(ExitCodes.OK, ExitCodes.FAILURE);
    assertThat(live("share")).isEqualTo("1");
    assertThat(weights("share")).containsExactly(Map.entry("2", 0.1));
    assertThat(versions("share")).containsExactly("1", "2");

    // Another share moves the same version's weight; nothing is published.
    waitUntilIssued("api.example.org");
    CliRun more = CliRun.run(canaryDeploy("share", "api.example.org", "25"));
    assertThat(more.exitCode()).as("%s", more).isZero();
    assertThat(more.out())
        .contains("Canary: version 2 gets 25% of the requests, version 1 the rest;");
    assertThat(weights("share")).containsExactly(Map.entry("2", 0.25));
    assertThat(versions("share")).containsExactly("1", "2");
  }

  @Test
  void should_finish_after_the_unfinished_canary_was_promoted_or_rolled_back() throws Exception {
    firstDeploy("promoted", "example.net");
    firstDeploy("dropped", "example.io");
    String[] promoted = canaryDeploy("promoted", "chat.example.net", "10");
    String[] dropped = canaryDeploy("dropped", "chat.example.io", "10");
    stoppedAtTheCertificate(CliRun.run(promoted));
    stoppedAtTheCertificate(CliRun.run(dropped));
    assertThat(CliRun.run(args("promote", "--name", "promoted")).exitCode()).isZero();
    assertThat(CliRun.run(args("rollback", "--name", "dropped")).exitCode()).isZero();

    waitUntilIssued("chat.example.net");
    waitUntilIssued("chat.example.io");
    // Promoted: what the deploy wanted is live; the re-run finishes the domain, with no canary.
    CliRun afterPromote = CliRun.run(promoted);
    assertThat(afterPromote.exitCode()).as("%s", afterPromote).isZero();
    assertThat(live("promoted")).isEqualTo("2");
    assertThat(weights("promoted")).isEmpty();
    assertThat(versions("promoted")).containsExactly("1", "2");
    // Rolled back: the re-run is the deploy as asked, so the canary starts again on version 2.
    CliRun afterRollback = CliRun.run(dropped);
    assertThat(afterRollback.exitCode()).as("%s", afterRollback).isZero();
    assertThat(live("dropped")).isEqualTo("1");
    assertThat(weights("dropped")).containsExactly(Map.entry("2", 0.1));
    assertThat(versions("dropped")).containsExactly("1", "2");
  }
}
