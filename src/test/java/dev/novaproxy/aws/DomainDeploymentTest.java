package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The custom domain's part of a deployment against moto, through the calls it makes (the call log):
 * a dry run and a second deploy make no mutating call, and the plan names each step.
 */
@ExtendWith(MotoServer.class)
class DomainDeploymentTest {
  private static final Backoff FAST =
      new Backoff(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(20));
  private static final ResourceNames NAMES = new ResourceNames("novaproxy");

  @TempDir Path dir;
  private AwsClients aws;
  private Artifact code;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    new ApiKeySecret(aws).store("backend/NovaApiKey", "sk-test-key", NAMES);
    code = Artifact.read(TestZip.write(dir, "v1"));
    aws.route53().createHostedZone(r -> r.name("example.com").callerReference("t1"));
    aws.calls().clear();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Deployment.Spec spec(DomainSetting domain) {
    return new Deployment.Spec(
        NAMES,
        "backend/NovaApiKey",
        code,
        new DeploymentSettings(
                DeploymentSettings.Arch.arm64,
                512,
                30,
                false,
                10,
                20,
                false,
                ProxySettings.defaults())
            .withDomain(domain));
  }

  private Deployment deployment() {
    return new Deployment(aws, FAST).withDomainWait(Duration.ofSeconds(5), Duration.ofMillis(50));
  }

  @Test
  void should_plan_the_domain_and_redeploy_it_without_a_mutating_call() {
    DomainSetting domain = DomainSetting.parse("Chat.Example.com.", null);
    assertThat(domain.name()).isEqualTo("chat.example.com");

    Deployment.Plan dry = deployment().plan(spec(domain));
    assertThat(aws.calls().mutatingCalls()).as("a dry run").isEmpty();
    assertThat(dry.steps())
        .filteredOn(
            s ->
                List.of(
                        "certificate",
                        "validation",
                        "issuance",
                        "domain",
                        "api-mapping",
                        "dns-alias")
                    .contains(s.resource()))
        .extracting(PlanStep::action)
        .containsExactly(
            Action.CREATE,
            Action.CREATE,
            Action.UPDATE,
            Action.CREATE,
            Action.CREATE,
            Action.CREATE);

    Deployment d = deployment();
    Deployment.Result first = d.apply(d.plan(spec(domain)), progress::add);
    assertThat(first.domainUrl()).isEqualTo("https://chat.example.com/chat");
    assertThat(aws.calls().mutatingCalls())
        .extracting(Object::toString)
        .contains(
            "Acm:RequestCertificate",
            "Acm:AddTagsToCertificate",
            "Route53:ChangeResourceRecordSets",
            "ApiGatewayV2:CreateDomainName",
            "ApiGatewayV2:CreateApiMapping");

    aws.calls().clear();
    Deployment again = deployment();
    Deployment.Observed seen = again.observe(NAMES);
    // What a plain deploy starts from: the domain, read back from AWS.
    assertThat(seen.settings().orElseThrow().domain()).isEqualTo(domain);
    Deployment.Result second = again.apply(again.plan(spec(domain), seen), progress::add);
    assertThat(second.changed()).isFalse();
    assertThat(second.domainUrl()).isEqualTo("https://chat.example.com/chat");
    assertThat(aws.calls().mutatingCalls()).isEmpty();
  }
}
