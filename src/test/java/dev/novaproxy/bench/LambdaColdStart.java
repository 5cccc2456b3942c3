package dev.novaproxy.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.novaproxy.lambda.LambdaHandler;
import dev.novaproxy.testing.FakeNova;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Benchmark: a fresh JVM, holding only the Lambda artifact, to its first answered API Gateway event
 * (a chat turn forwarded to a loopback Nova), as a Lambda cold start without the runtime's own
 * start-up. Prints figures; asserts nothing. Run with {@code bench/lambda-cold-start}.
 */
public final class LambdaColdStart {
  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "dist/lib/novaproxy-lambda.jar");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    System.out.printf(
        "Lambda artifact: %s, %.2f MB (target <= 10 MB)%n", jar, Files.size(jar) / 1e6);
    String testClasses = Path.of("target/test-classes").toAbsolutePath().toString();
    try (FakeNova nova = FakeNova.start()) {
      for (String jvm : List.of("default JIT", "-XX:TieredStopAtLevel=1")) {
        List<Double> wall = new ArrayList<>();
        List<Double> inJvm = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xshare:auto"));
          if (jvm.startsWith("-XX")) {
            cmd.add(jvm);
          }
          cmd.addAll(
              List.of(
                  "-cp",
                  jar.toAbsolutePath() + File.pathSeparator + testClasses,
                  Child.class.getName()));
          ProcessBuilder pb = new ProcessBuilder(cmd);
          pb.environment().put("NOVA_UPSTREAM_URL", nova.baseUrl().toString());
          long start = System.nanoTime();
          Process p = pb.redirectErrorStream(true).start();
          String out = new String(p.getInputStream().readAllBytes());
          p.waitFor();
          double ms = (System.nanoTime() - start) / 1e6;
          if (!out.contains("status=200")) {
            throw new IllegalStateException("the cold start did not answer 200: " + out);
          }
          wall.add(ms);
          inJvm.add(Double.parseDouble(out.replaceAll("(?s).*uptime_ms=([0-9.]+).*", "$1")));
        }
        System.out.printf(
            "%-26s process start to first answer: median %.0f ms (min %.0f, max %.0f); JVM uptime at answer: median %.0f ms; %d runs%n",
            jvm, median(wall), Collections.min(wall), Collections.max(wall), median(inJvm), runs);
      }
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** The cold JVM: make the handler as Lambda would, answer one event, report, exit. */
  public static final class Child {
    public static void main(String[] args) {
      LambdaHandler handler = new LambdaHandler(System.getenv(), () -> "bench-key-not-secret");
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
                              .build())
                      .build())
              .build();
      APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
      System.out.println(
          "status="
              + response.getStatusCode()
              + " uptime_ms="
              + ManagementFactory.getRuntimeMXBean().getUptime());
      System.exit(0);
    }
  }

  private LambdaColdStart() {}
}
