package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.apigatewayv2.model.Api;
import software.amazon.awssdk.services.apigatewayv2.model.ProtocolType;

/**
 * A deploy converges on what it wants whatever an earlier run or a hand left behind: a duplicate
 * API from a lost CreateApi answer, an integration timeout or CORS details changed elsewhere, a
 * function still settling when its version is published. Against moto.
 */
@ExtendWith(MotoServer.class)
class DeploymentConvergenceTest {
  private static final Backoff FAST =
      new Backoff(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(20));
  private static final ResourceNames NAMES = new ResourceNames("novaproxy");

  @TempDir Path dir;
  private AwsClients aws;
  private Deployment.Spec spec;

  @BeforeEach
  void setUp() throws Exception {
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    new ApiKeySecret(aws).store("backend/NovaApiKey", "sk-test-key", NAMES);
    Policy policy =
        new Policy(
            "nova-2-lite-v1",
            Set.of(),
            null,
            List.of("https://app.example.com"),
            Policy.Limits.defaults());
    spec =
        new Deployment.Spec(
            NAMES,
            "backend/NovaApiKey",
            Artifact.read(TestZip.write(dir, "v1")),
            new DeploymentSettings(
                DeploymentSettings.Arch.arm64,
                512,
                30,
                false,
                10,
                20,
                false,
                ProxySettings.defaults().withPolicy(policy)));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Deployment.Result deploy() {
    var d = new Deployment(aws, FAST);
    return d.apply(d.plan(spec), Progress.silent());
  }

  private List<Api> ourApis() {
    return aws.apis().getApis(x -> {}).items().stream()
        .filter(a -> a.name().equals("novaproxy") && NAMES.owns(a.tags()))
        .toList();
  }

  @Test
  void should_keep_the_completed_api_and_delete_a_duplicate_left_by_a_lost_answer() {
    Deployment.Result first = deploy();
    // What a re-run after a lost CreateApi answer leaves: a second API with our name and tag.
    String duplicate =
        aws.apis()
            .createApi(r -> r.name("novaproxy").protocolType(ProtocolType.HTTP).tags(NAMES.tags()))
            .apiId();
    assertThat(ourApis()).hasSize(2);

    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec);
    assertThat(plan.steps())
        .filteredOn(s -> s.action() == Action.DELETE)
        .singleElement()
        .satisfies(s -> assertThat(s.name()).contains(duplicate))
        .satisfies(s -> assertThat(s.changes().get(0)).contains(first.apiId() + " is kept"));
    Deployment.Result again = d.apply(plan, Progress.silent());

    assertThat(again.apiId()).isEqualTo(first.apiId());
    assertThat(ourApis()).extracting(Api::apiId).containsExactly(first.apiId());
    assertThat(d.plan(spec).changes()).isFalse();
  }

  @Test
  void should_delete_every_duplicate_on_destroy() {
    deploy();
    aws.apis()
        .createApi(r -> r.name("novaproxy").protocolType(ProtocolType.HTTP).tags(NAMES.tags()));
    assertThat(new HttpApi(aws).delete(NAMES)).isTrue();
    assertThat(ourApis()).isEmpty();
  }

  @Test
  void should_mend_an_integration_timeout_changed_elsewhere() {
    Deployment.Result r = deploy();
    String integration =
        aws.apis().getIntegrations(x -> x.apiId(r.apiId())).items().get(0).integrationId();
    aws.apis()
        .updateIntegration(
            x -> x.apiId(r.apiId()).integrationId(integration).timeoutInMillis(5_000));

    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec);
    assertThat(plan.steps())
        .filteredOn(s -> s.resource().equals("integration"))
        .singleElement()
        .satisfies(s -> assertThat(s.changes()).containsExactly("timeout 5000 ms -> 30000 ms"));
    d.apply(plan, Progress.silent());
    assertThat(
            aws.apis()
                .getIntegration(x -> x.apiId(r.apiId()).integrationId(integration))
                .timeoutInMillis())
        .isEqualTo(30_000);
    assertThat(d.plan(spec).changes()).isFalse();
  }

  @Test
  void should_mend_cors_exposed_headers_and_max_age_changed_elsewhere() {
    Deployment.Result r = deploy();
    aws.apis()
        .updateApi(
            x ->
                x.apiId(r.apiId())
                    .corsConfiguration(
                        c ->
                            c.allowOrigins("https://app.example.com")
                                .allowMethods(HttpApi.CORS_METHODS)
                                .allowHeaders(HttpApi.CORS_HEADERS)
                                .maxAge(0)));

    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec);
    assertThat(plan.steps())
        .filteredOn(s -> s.resource().equals("api"))
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.changes())
                    .containsExactly(
                        "CORS exposed headers [] -> [retry-after, x-request-id]",
                        "CORS max age 0 -> 600"));
    d.apply(plan, Progress.silent());
    var cors = aws.apis().getApi(x -> x.apiId(r.apiId())).corsConfiguration();
    assertThat(cors.exposeHeaders()).containsExactly("retry-after", "x-request-id");
    assertThat(cors.maxAge()).isEqualTo(600);
  }

  @Test
  void should_wait_for_the_function_to_settle_before_publishing() {
    // A deploy cut short after updating $LATEST: the function step has nothing left to do, but
    // the alias must still get a new version, and Lambda refuses to publish while an update is in
    // progress. The waiter's read (GetFunction) must come before the publish.
    var d = new Deployment(aws, FAST);
    Deployment.Plan first = d.plan(spec);
    var s = first.snapshot();
    new ExecutionRole(aws).apply(s.role(), s.observed().haveRole());
    new ProxyFunction(aws, FAST)
        .applyFunction(s.function(), s.observed().haveFunction(), first.steps().get(1), x -> {});

    Deployment.Plan plan = d.plan(spec);
    assertThat(plan.steps().get(1).mutates()).isFalse();
    aws.calls().clear();
    d.apply(plan, Progress.silent());
    var lambdaCalls =
        aws.calls().calls().stream()
            .filter(c -> c.service().equals("Lambda"))
            .map(AwsCallLog.Call::operation)
            .toList();
    assertThat(lambdaCalls.subList(0, lambdaCalls.indexOf("PublishVersion") + 1))
        .containsExactly("GetFunction", "PublishVersion");
  }

  @Test
  void should_keep_the_api_with_a_stage_even_when_an_older_one_has_none() {
    // An older API left without a stage, and a newer complete one: the complete one is kept
    // whatever their order, so a re-run never moves the URL it printed.
    String older =
        aws.apis()
            .createApi(r -> r.name("novaproxy").protocolType(ProtocolType.HTTP).tags(NAMES.tags()))
            .apiId();
    String complete =
        aws.apis()
            .createApi(r -> r.name("novaproxy").protocolType(ProtocolType.HTTP).tags(NAMES.tags()))
            .apiId();
    // Throttled as the spec asks: moto has no UpdateStage.
    aws.apis()
        .createStage(
            r ->
                r.apiId(complete)
                    .stageName("$default")
                    .autoDeploy(true)
                    .defaultRouteSettings(
                        s -> s.throttlingRateLimit(10.0).throttlingBurstLimit(20)));
    assertThat(new HttpApi(aws).find(NAMES)).map(Api::apiId).hasValue(complete);
    Deployment.Result r = deploy();
    assertThat(r.apiId()).isEqualTo(complete);
    assertThat(ourApis()).extracting(Api::apiId).containsExactly(complete).doesNotContain(older);
  }
}
