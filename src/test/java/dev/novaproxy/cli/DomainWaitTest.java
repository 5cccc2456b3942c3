package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * A certificate that stays in validation: a moto of this test's own, whose ACM issues only after an
 * hour ({@code MOTO_ACM_VALIDATION_WAIT}), and {@code --domain-wait 0s}, which looks once. deploy
 * must stop with what to check, and a re-run must resume with the same certificate and record.
 */
class DomainWaitTest {
  private static MotoServer.Separate moto;

  @TempDir Path dir;
  private AwsClients aws;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.separate(Map.of("MOTO_ACM_VALIDATION_WAIT", "3600"));
  }

  @AfterAll
  static void stop() throws Exception {
    moto.close();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  @Test
  void should_stop_at_the_timeout_naming_what_to_check_and_resume_on_a_rerun() throws Exception {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()));
    String zone =
        aws.route53()
            .createHostedZone(r -> r.name("example.com").callerReference("wait"))
            .hostedZone()
            .id()
            .replace("/hostedzone/", "");
    assertThat(CliRun.runWithStdin("k-123\n", args("setup", "--api-key-stdin")).exitCode())
        .isZero();
    String code = TestZip.write(dir, "v1").toString();
    String[] deploy =
        args(
            "deploy",
            "--artifact",
            code,
            "--no-snapstart",
            "--domain",
            "chat.example.com",
            "--domain-wait",
            "0s");

    CliRun first = CliRun.run(deploy);
    assertThat(first.exitCode()).as("%s", first).isEqualTo(ExitCodes.FAILURE);
    assertThat(first.err())
        .contains("Stopped at issuance chat.example.com")
        .contains("The certificate for chat.example.com is still PENDING_VALIDATION after 0:00")
        .contains("check that the zone example.com (" + zone + ") holds the CNAME _")
        .contains("that the registrar delegates example.com to that zone's name servers")
        .contains("run the same deploy again: it resumes");
    // The API is there; the domain is not yet.
    assertThat(aws.apis().getApis().items()).hasSize(1);
    assertThat(aws.apis().getDomainNames().items()).isEmpty();
    List<CertificateSummary> certs = aws.acm().listCertificates().certificateSummaryList();
    assertThat(certs).hasSize(1);
    long cnames =
        aws
            .route53()
            .listResourceRecordSets(r -> r.hostedZoneId(zone))
            .resourceRecordSets()
            .stream()
            .filter(r -> r.type() == RRType.CNAME)
            .count();
    assertThat(cnames).isEqualTo(1);

    // A re-run (even a plain deploy: the unfinished one's settings were saved) resumes.
    CliRun again = CliRun.run(args("deploy", "--artifact", code, "--domain-wait", "0s"));
    assertThat(again.exitCode()).as("%s", again).isEqualTo(ExitCodes.FAILURE);
    assertThat(again.err())
        .contains("certificate chat.example.com (PENDING_VALIDATION): unchanged")
        .contains("validation CNAME _")
        .contains("PENDING_VALIDATION after 0:00");
    assertThat(aws.acm().listCertificates().certificateSummaryList())
        .extracting(CertificateSummary::certificateArn)
        .containsExactly(certs.get(0).certificateArn());

    // status shows the pending certificate; destroy removes it and its record.
    CliRun status = CliRun.run(args("status"));
    assertThat(status.exitCode()).as("%s", status).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(status.out())
        .containsPattern("certificate\\s+present\\s+chat.example.com .*PENDING_VALIDATION");
    CliRun destroy = CliRun.run(args("destroy", "--yes"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(aws.acm().listCertificates().certificateSummaryList()).isEmpty();
    assertThat(aws.route53().listResourceRecordSets(r -> r.hostedZoneId(zone)).resourceRecordSets())
        .noneMatch(r -> r.type() == RRType.CNAME);
  }
}
