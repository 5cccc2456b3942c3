package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.TempPaths;
import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The built Lambda artifact holds what the limits need: a JVM with only {@code
 * novaproxy-lambda.jar} and the test classes (which hold no main code) answers API Gateway events
 * with the limits on, the second one refused.
 */
class LambdaJarLimitsIT {
  @Test
  void should_run_the_limits_from_the_lambda_jar_alone() throws Exception {
    // The function's jar as the build makes it (the zip in dist/lib holds it under lib/).
    Path jar = Path.of("target", "lambda", "novaproxy-lambda.jar");
    Path testClasses = Path.of("target/test-classes").toAbsolutePath();
    Path keys = TempPaths.directory("lambda-jar-limits").resolve("keys.json");
    try (FakeNova nova = FakeNova.start()) {
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              jar.toAbsolutePath() + File.pathSeparator + testClasses,
              Child.class.getName(),
              keys.toString());
      pb.environment().put("NOVA_UPSTREAM_URL", nova.baseUrl().toString());
      pb.environment().put("NOVA_ANONYMOUS_RPM", "1");
      Process p = pb.redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as(out).contains("statuses=[200, 429]");
      assertThat(nova.chatRequests()).hasSize(1);
    }
  }

  /** The JVM holding the artifact: two events from one address, one a minute allowed. */
  public static final class Child {
    public static void main(String[] args) {
      LambdaHandler handler =
          new LambdaHandler(
              System.getenv(),
              () -> "jar-test-key-not-secret",
              new LocalFileStore(Path.of(args[0])),
              Clock.systemUTC());
      // Built, not loaded: the event loader is a test library, not in the artifact.
      APIGatewayV2HTTPEvent event =
          APIGatewayV2HTTPEvent.builder()
              .withRawPath("/chat")
              .withHeaders(Map.of("content-type", "application/json"))
              .withBody("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
              .withIsBase64Encoded(false)
              .withRequestContext(
                  APIGatewayV2HTTPEvent.RequestContext.builder()
                      .withHttp(
                          APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                              .withMethod("POST")
                              .withPath("/chat")
                              .withSourceIp("203.0.113.10")
                              .build())
                      .build())
              .build();
      List<Integer> statuses =
          List.of(
              handler.handleRequest(event, null).getStatusCode(),
              handler.handleRequest(event, null).getStatusCode());
      System.out.println("statuses=" + statuses);
      System.out.flush();
      System.exit(0);
    }
  }
}
