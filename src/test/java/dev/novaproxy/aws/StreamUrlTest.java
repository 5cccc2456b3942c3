package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import software.amazon.awssdk.services.lambda.model.AddPermissionRequest;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigRequest;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The stream URL against moto. moto stores the URL's invoke mode and CORS but ignores the qualifier
 * (one URL per function) and keeps a permission's FunctionUrlAuthType and InvokedViaFunctionUrl as
 * plain statement keys rather than the Condition blocks AWS writes: so the qualifier and the
 * conditions are checked as sent (the SDK's requests, recorded by the call log), and the statements
 * as stored in either form. moto cannot invoke a function URL at all.
 */
@ExtendWith(MotoServer.class)
class StreamUrlTest {
  private static final Backoff FAST =
      new Backoff(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(20));
  private static final ResourceNames NAMES = new ResourceNames("novaproxy");

  @TempDir Path dir;
  private AwsClients aws;
  private Artifact code;

  @BeforeEach
  void setUp() throws Exception {
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    new ApiKeySecret(aws).store("backend/NovaApiKey", "sk-test-key", NAMES);
    code = Artifact.read(TestZip.write(dir, "v1"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Deployment.Spec spec(boolean streamUrl, List<String> origins) {
    Policy policy = new Policy("nova-2-lite-v1", Set.of(), null, origins, Policy.Limits.defaults());
    return new Deployment.Spec(
        NAMES,
        "backend/NovaApiKey",
        code,
        new DeploymentSettings(
            DeploymentSettings.Arch.arm64,
            512,
            300,
            false,
            10,
            20,
            streamUrl,
            ProxySettings.defaults().withPolicy(policy)));
  }

  private Deployment.Result deploy(Deployment.Spec spec) {
    var d = new Deployment(aws, FAST);
    return d.apply(d.plan(spec), Progress.silent());
  }

  private <T> List<T> sent(Class<T> type) {
    return aws.calls().calls().stream()
        .map(AwsCallLog.Call::request)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  private JsonNode statement(String sid) {
    String policy =
        aws.lambda().getPolicy(r -> r.functionName("novaproxy-proxy").qualifier("live")).policy();
    for (JsonNode s : PolicyDocuments.parse(policy).path("Statement")) {
      if (sid.equals(s.path("Sid").asText())) {
        return s;
      }
    }
    return null;
  }

  /** A condition key as AWS stores it (in Condition) or as moto does (a plain statement key). */
  private static String condition(JsonNode statement, String key) {
    if (statement.has(key)) {
      return statement.get(key).asText();
    }
    for (JsonNode operator : statement.path("Condition")) {
      JsonNode v = operator.get("lambda:" + key);
      if (v != null) {
        return v.asText();
      }
    }
    return null;
  }

  @Test
  void should_create_a_streaming_url_on_the_alias_with_cors_and_both_public_permissions() {
    Deployment.Result r = deploy(spec(true, List.of("https://app.example.com")));

    var url =
        aws.lambda().getFunctionUrlConfig(x -> x.functionName("novaproxy-proxy").qualifier("live"));
    assertThat(url.invokeMode()).isEqualTo(InvokeMode.RESPONSE_STREAM);
    assertThat(url.authType()).isEqualTo(FunctionUrlAuthType.NONE);
    assertThat(url.cors().allowOrigins()).containsExactly("https://app.example.com");
    assertThat(url.cors().allowMethods()).containsExactly("GET", "POST");
    assertThat(url.cors().exposeHeaders()).containsExactly("retry-after", "x-request-id");
    assertThat(url.cors().maxAge()).isEqualTo(600);
    assertThat(r.streamUrl()).isEqualTo(Deployment.chatPath(url.functionUrl()));
    assertThat(r.streamUrl()).endsWith(".on.aws/chat");

    // The java21 runtime starts the streaming loop through the wrapper in the zip.
    assertThat(
            aws.lambda()
                .getFunctionConfiguration(x -> x.functionName("novaproxy-proxy"))
                .environment()
                .variables())
        .containsEntry("AWS_LAMBDA_EXEC_WRAPPER", "/var/task/novaproxy-runtime");

    CreateFunctionUrlConfigRequest created = sent(CreateFunctionUrlConfigRequest.class).get(0);
    assertThat(created.qualifier()).isEqualTo("live");

    List<AddPermissionRequest> grants = sent(AddPermissionRequest.class);
    AddPermissionRequest publicUrl =
        grants.stream()
            .filter(g -> g.statementId().equals("novaproxy-url-public"))
            .findFirst()
            .orElseThrow();
    assertThat(publicUrl.action()).isEqualTo("lambda:InvokeFunctionUrl");
    assertThat(publicUrl.principal()).isEqualTo("*");
    assertThat(publicUrl.functionUrlAuthType()).isEqualTo(FunctionUrlAuthType.NONE);
    assertThat(publicUrl.qualifier()).isEqualTo("live");
    AddPermissionRequest invoke =
        grants.stream()
            .filter(g -> g.statementId().equals("novaproxy-url-invoke"))
            .findFirst()
            .orElseThrow();
    assertThat(invoke.action()).isEqualTo("lambda:InvokeFunction");
    assertThat(invoke.principal()).isEqualTo("*");
    assertThat(invoke.invokedViaFunctionUrl()).isTrue();
    assertThat(invoke.qualifier()).isEqualTo("live");

    assertThat(condition(statement("novaproxy-url-public"), "FunctionUrlAuthType"))
        .isEqualTo("NONE");
    assertThat(condition(statement("novaproxy-url-invoke"), "InvokedViaFunctionUrl"))
        .isEqualTo("true");
  }

  @Test
  void should_make_no_mutating_call_on_a_redeploy_and_plan_cors_changes() {
    deploy(spec(true, List.of("https://app.example.com")));
    aws.calls().clear();
    var d = new Deployment(aws, FAST);
    Deployment.Plan same = d.plan(spec(true, List.of("https://app.example.com")));
    assertThat(same.changes()).isFalse();
    d.apply(same, Progress.silent());
    assertThat(aws.calls().mutatingCalls()).isEmpty();

    Deployment.Plan wider =
        d.plan(spec(true, List.of("https://app.example.com", "https://other.example.com")));
    assertThat(wider.steps())
        .filteredOn(s -> s.resource().equals("stream-url"))
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.changes())
                    .containsExactly(
                        "CORS origins [https://app.example.com] -> [https://app.example.com,"
                            + " https://other.example.com]"));
    d.apply(wider, Progress.silent());
    assertThat(
            aws.lambda()
                .getFunctionUrlConfig(x -> x.functionName("novaproxy-proxy").qualifier("live"))
                .cors()
                .allowOrigins())
        .containsExactly("https://app.example.com", "https://other.example.com");
  }

  @Test
  void should_put_back_a_permission_removed_elsewhere() {
    deploy(spec(true, List.of()));
    aws.lambda()
        .removePermission(
            r ->
                r.functionName("novaproxy-proxy")
                    .qualifier("live")
                    .statementId("novaproxy-url-invoke"));
    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec(true, List.of()));
    assertThat(plan.steps())
        .filteredOn(s -> s.resource().equals("stream-url"))
        .singleElement()
        .satisfies(
            s -> assertThat(s.changes()).containsExactly("add permission novaproxy-url-invoke"));
    d.apply(plan, Progress.silent());
    assertThat(statement("novaproxy-url-invoke")).isNotNull();
  }

  @Test
  void should_remove_the_url_and_its_permissions_with_no_stream_url() {
    deploy(spec(true, List.of()));
    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec(false, List.of()));
    assertThat(plan.steps())
        .filteredOn(s -> s.resource().equals("stream-url"))
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(Action.DELETE));
    Deployment.Result r = d.apply(plan, Progress.silent());
    assertThat(r.streamUrl()).isNull();
    try {
      aws.lambda().getFunctionUrlConfig(x -> x.functionName("novaproxy-proxy").qualifier("live"));
      org.assertj.core.api.Assertions.fail("the URL is still there");
    } catch (ResourceNotFoundException expected) {
      // gone
    }
    assertThat(statement("novaproxy-url-public")).isNull();
    assertThat(statement("novaproxy-url-invoke")).isNull();
    assertThat(d.plan(spec(false, List.of())).changes()).isFalse();
  }

  @Test
  void should_read_the_stream_url_back_as_a_setting() {
    deploy(spec(true, List.of()));
    var d = new Deployment(aws, FAST);
    assertThat(d.observe(NAMES).settings())
        .hasValueSatisfying(s -> assertThat(s.streamUrl()).isTrue());
    deploy(spec(false, List.of()));
    assertThat(d.observe(NAMES).settings())
        .hasValueSatisfying(s -> assertThat(s.streamUrl()).isFalse());
  }
}
