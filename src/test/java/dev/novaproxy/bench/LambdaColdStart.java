package dev.novaproxy.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.novaproxy.lambda.LambdaHandler;
import dev.novaproxy.lambda.LambdaZip;
import dev.novaproxy.lambda.LoopColdStartChild;
import dev.novaproxy.lambda.LoopUnderTest;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark: a fresh JVM, holding only the Lambda artifact, to its first answered event, as a
 * Lambda cold start without the runtime's own start-up. Three ways: today's managed-runtime handler
 * answering an API Gateway event in-process; the runtime loop answering a function URL event
 * through the Runtime API stand-in (both given the key, as Secrets Manager is not on loopback); and
 * the whole real path, the wrapper script from the unpacked zip exec'ing the JVM on the loop's
 * main, answering {@code /health} (which needs no key). Prints figures; asserts nothing. Run with
 * {@code bench/lambda-cold-start}.
 */
public final class LambdaColdStart {
  private static final String CHAT =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

  public static void main(String[] args) throws Exception {
    Path zip = Path.of(args.length > 0 ? args[0] : "dist/lib/novaproxy-lambda.zip");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    System.out.printf(
        "Lambda artifact: %s, %.2f MB (target <= 10 MB)%n", zip, Files.size(zip) / 1e6);
    Path task = LambdaZip.unpack(zip, Files.createTempDirectory("novaproxy-task"));
    Path jar = task.resolve("lib/novaproxy-lambda.jar");
    String testClasses = Path.of("target/test-classes").toAbsolutePath().toString();
    String classpath = jar + File.pathSeparator + testClasses;
    try (FakeNova nova = FakeNova.start().withoutRecording()) {
      for (String jit : List.of("default JIT", "-XX:TieredStopAtLevel=1")) {
        List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xshare:auto"));
        if (jit.startsWith("-XX")) {
          jvm.add(jit);
        }
        Map<String, Run> ways = new LinkedHashMap<>();
        ways.put("managed handler, API event (today)", () -> handler(jvm, classpath, nova));
        ways.put("runtime loop, URL event streamed", () -> loop(jvm, classpath, nova));
        ways.put("wrapper + loop main, URL /health", () -> wrapper(jvm, task, nova));
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        ways.keySet().forEach(k -> ms.put(k, new ArrayList<>()));
        ways.keySet().forEach(k -> cpu.put(k, new ArrayList<>()));
        for (int i = 0; i < runs; i++) { // interleaved, so that a busy moment weighs on all alike
          for (var way : ways.entrySet()) {
            double[] run = way.getValue().millis();
            ms.get(way.getKey()).add(run[0]);
            cpu.get(way.getKey()).add(run[1]);
          }
        }
        ms.forEach(
            (what, m) ->
                System.out.printf(
                    "%-24s %-36s process start to first answer: median %.0f ms (min %.0f, max %.0f);"
                        + " CPU time used by then: median %.0f ms; %d runs%n",
                    jit,
                    what,
                    median(m),
                    Collections.min(m),
                    Collections.max(m),
                    median(cpu.get(what)),
                    runs));
      }
    }
  }

  private interface Run {
    /** Wall-clock and CPU milliseconds from the process's start to its first answer. */
    double[] millis() throws Exception;
  }

  /** Today's: the handler made and called in a fresh JVM, which exits after the answer. */
  private static double[] handler(List<String> jvm, String classpath, FakeNova nova)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBinary()));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", classpath, Child.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("NOVA_UPSTREAM_URL", nova.baseUrl().toString());
    long start = System.nanoTime();
    Process p = pb.redirectErrorStream(true).start();
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("status=")) {
          double ms = (System.nanoTime() - start) / 1e6; // answered; the JVM's exit is not counted
          if (!line.startsWith("status=200")) {
            throw new IllegalStateException("the cold start did not answer 200: " + line);
          }
          double cpu = cpuMillis(p); // the child waits for its stdin to close before it exits
          p.getOutputStream().close();
          out.transferTo(java.io.Writer.nullWriter());
          p.waitFor();
          return new double[] {ms, cpu};
        }
      }
    }
    throw new IllegalStateException("the cold start printed no answer");
  }

  /** The loop in a fresh JVM: from its start to the stand-in holding the whole response. */
  private static double[] loop(List<String> jvm, String classpath, FakeNova nova) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBinary()));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", classpath, LoopColdStartChild.class.getName()));
    return throughStandIn(new ProcessBuilder(cmd), nova, LoopUnderTest.urlEvent(CHAT), "[DONE]");
  }

  /** As Lambda starts it: the wrapper with the java path and options, exec'ing the loop's main. */
  private static double[] wrapper(List<String> jvm, Path task, FakeNova nova) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(task.resolve("novaproxy-runtime").toString()));
    cmd.add(javaBinary());
    cmd.addAll(jvm);
    cmd.addAll(
        List.of(
            "-classpath",
            "/var/runtime/lib/aws-lambda-java-core-1.2.3.jar",
            "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
            "dev.novaproxy.lambda.LambdaHandler::handleRequest"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LAMBDA_TASK_ROOT", task.toString());
    String health =
        LoopUnderTest.urlEvent(null)
            .replace("\"POST\"", "\"GET\"")
            .replace("/v1/chat/completions", "/health");
    return throughStandIn(pb, nova, health, "\"status\":\"ok\"");
  }

  private static double[] throughStandIn(
      ProcessBuilder pb, FakeNova nova, String event, String expected) throws Exception {
    try (FakeRuntimeApi api = FakeRuntimeApi.start()) {
      pb.environment().put("AWS_LAMBDA_RUNTIME_API", api.address());
      pb.environment().put("NOVA_UPSTREAM_URL", nova.baseUrl().toString());
      String id = api.enqueue(event, Duration.ofMinutes(1)); // waiting for the first /next
      long start = System.nanoTime();
      Process p =
          pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        FakeRuntimeApi.Response r = api.awaitResponse(id, Duration.ofSeconds(60));
        if (!r.bodyText().contains(expected)) {
          throw new IllegalStateException("the cold start did not answer: " + r.bodyText());
        }
        return new double[] {(r.endNanos() - start) / 1e6, cpuMillis(p)};
      } finally {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static double cpuMillis(Process p) {
    return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
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
      try {
        System.in.read(); // the parent reads this process's CPU time, then closes stdin
      } catch (java.io.IOException e) {
        // exit anyway
      }
      System.exit(0);
    }
  }

  private LambdaColdStart() {}
}
