package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.novaproxy.lambda.LambdaHandler;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.secrets.SecretsManagerSource;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * moto stores a function but runs nothing, so this runs the Lambda handler here with exactly the
 * environment deploy gave the function in moto, reading the key from moto's Secrets Manager: the
 * contract between deploy and the handler, end to end.
 */
@ExtendWith(MotoServer.class)
class DeployedFunctionTest {
  @TempDir Path dir;

  @Test
  void should_answer_with_the_environment_and_secret_deploy_set_up() throws Exception {
    String key = "sk-deployed-key-77";
    try (FakeNova nova = FakeNova.start().requireKey(key);
        var aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      var names = new ResourceNames("novaproxy");
      new ApiKeySecret(aws).store("team/NovaKey", key, names);
      var policy =
          new Policy(
              "nova-2-pro-v1",
              java.util.Set.of(),
              50,
              java.util.List.of(),
              Policy.Limits.defaults());
      var spec =
          new Deployment.Spec(
              names,
              "team/NovaKey",
              Artifact.read(TestZip.write(dir, "code")),
              new DeploymentSettings(
                  DeploymentSettings.Arch.arm64,
                  512,
                  20,
                  false,
                  10,
                  20,
                  false,
                  ProxySettings.defaults()
                      .withPolicy(policy)
                      .withUpstream(nova.baseUrl().resolve("/v1"))));
      var d =
          new Deployment(
              aws,
              new Backoff(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(5)));
      d.apply(d.plan(spec), Progress.silent());

      Map<String, String> env =
          aws.lambda()
              .getFunctionConfiguration(x -> x.functionName("novaproxy-proxy").qualifier("live"))
              .environment()
              .variables();
      var secrets =
          new SecretsManagerSource(
              env.get(ProxySettings.ENV_SECRET_NAME),
              () ->
                  SecretsManagerClient.builder()
                      .region(Region.US_EAST_1)
                      .endpointOverride(MotoServer.endpoint())
                      .httpClientBuilder(UrlConnectionHttpClient.builder())
                      .build());
      var handler = new LambdaHandler(env, secrets);

      APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/chat-post.json");
      var response = handler.handleRequest(event, null);
      assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
      assertThat(nova.chatRequests()).hasSize(1);
      assertThat(nova.chatRequests().get(0).headers().get("authorization"))
          .isEqualTo("Bearer " + key);
      // The policy deploy wrote is the policy the handler applies: the event names no model.
      assertThat(nova.chatRequests().get(0).json().path("model").asText())
          .isEqualTo("nova-2-pro-v1");
      assertThat(response.getBody()).doesNotContain(key);
    }
  }
}
