package dev.novaproxy.bench;

import dev.novaproxy.lambda.LoopUnderTest;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Benchmark: time to the first streamed event through the Lambda runtime loop (function URL door,
 * Runtime API stand-in) against the same event straight from the loopback Nova. Through the loop:
 * from the moment the stand-in has an event for {@code /next} to the moment the first SSE event's
 * chunk has arrived back at it, which covers the loop, the proxy core, Nova and the streamed
 * response. Direct: from sending the same request to Nova to reading its first event. Prints
 * figures; asserts nothing. Run with {@code bench/stream-first-byte}.
 */
public final class StreamFirstByte {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    try (FakeNova nova = FakeNova.start().requireKey(LoopUnderTest.KEY).withoutRecording();
        LoopUnderTest loop = LoopUnderTest.start(nova, Map.of())) {
      HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(nova.baseUrl() + "/chat/completions"))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + LoopUnderTest.KEY)
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"nova-2-lite-v1\",\"stream\":true,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"Stream me\"}]}"))
              .build();
      String event = LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY);
      for (int i = 0; i < warmUp; i++) {
        throughLoop(loop.api, event);
        direct(direct, request);
      }
      List<Double> viaLoop = new ArrayList<>();
      List<Double> straight = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        viaLoop.add(throughLoop(loop.api, event));
        straight.add(direct(direct, request));
      }
      double added = percentile(viaLoop, 50) - percentile(straight, 50);
      System.out.printf(
          "first event straight from the loopback Nova: median %.2f ms, p90 %.2f ms%n",
          percentile(straight, 50), percentile(straight, 90));
      System.out.printf(
          "first event through the runtime loop (function URL door, stand-in): median %.2f ms, p90 %.2f ms%n",
          percentile(viaLoop, 50), percentile(viaLoop, 90));
      System.out.printf(
          "the loop adds %.2f ms at the median (target at most 5 ms); %d rounds after %d warm-up%n",
          added, rounds, warmUp);
    }
  }

  /** Milliseconds from the event being offered to /next to its first SSE event arriving back. */
  private static double throughLoop(FakeRuntimeApi api, String event) throws Exception {
    long start = System.nanoTime();
    String id = api.enqueue(event, Duration.ofMinutes(1));
    FakeRuntimeApi.Chunk first =
        api.awaitChunk(id, c -> c.startsWith("data: "), Duration.ofSeconds(30));
    double ms = (first.nanos() - start) / 1e6;
    api.awaitResponse(id, Duration.ofSeconds(30)); // the loop is free for the next round
    return ms;
  }

  private static double direct(HttpClient client, HttpRequest request) throws Exception {
    long start = System.nanoTime();
    HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      double ms = -1;
      while ((line = in.readLine()) != null) {
        if (ms < 0 && line.startsWith("data: ")) {
          ms = (System.nanoTime() - start) / 1e6;
        }
      }
      return ms;
    }
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  private StreamFirstByte() {}
}
