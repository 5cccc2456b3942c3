package dev.novaproxy.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark load client for {@code bench/serve-load}: opens N streamed chats at once, each on its
 * own connection, and reads every one to its end. Prints one {@code RESULT} line: how many streams
 * completed (ended with {@code data: [DONE]}), how many failed and why, and the time from sending
 * each request to its first body byte (p50, p99, max). Asserts nothing.
 *
 * <p>All I/O runs on the JDK HttpClient's one selector thread (its callbacks only count bytes), so
 * one client process holds thousands of streams; the bench runs it against nginx as well, which
 * shows whether the client itself is the bottleneck.
 *
 * <p>Usage: {@code ServeLoad <label> <chat-url> <streams> [timeout-seconds]}.
 */
public final class ServeLoad {
  private static final String BODY =
      "{\"model\":\"nova-2-lite-v1\",\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}";
  private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws Exception {
    String label = args[0];
    URI url = URI.create(args[1]);
    int streams = Integer.parseInt(args[2]);
    long timeoutSeconds = args.length > 3 ? Long.parseLong(args[3]) : 120;
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Runnable::run)
            .connectTimeout(Duration.ofSeconds(60))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(timeoutSeconds))
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    List<Long> firstByteNanos = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger completed = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(streams);
    long wallStart = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      Stream stream = new Stream(System.nanoTime());
      all.add(
          client
              .sendAsync(request, info -> HttpResponse.BodySubscribers.fromSubscriber(stream))
              .orTimeout(timeoutSeconds, TimeUnit.SECONDS)
              .handle(
                  (response, failure) -> {
                    String error = stream.outcome(response, failure);
                    if (error == null) {
                      completed.incrementAndGet();
                      firstByteNanos.add(stream.firstByte - stream.start);
                    } else {
                      errors.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    double wall = (System.nanoTime() - wallStart) / 1e9;
    List<Long> sorted = new ArrayList<>(firstByteNanos);
    Collections.sort(sorted);
    int failed = streams - completed.get();
    System.out.printf(
        "RESULT %s streams=%d completed=%d errors=%d first_byte_p50_ms=%.0f"
            + " first_byte_p99_ms=%.0f first_byte_max_ms=%.0f wall_s=%.1f%s%n",
        label,
        streams,
        completed.get(),
        failed,
        ms(sorted, 50),
        ms(sorted, 99),
        ms(sorted, 100),
        wall,
        errors.isEmpty() ? "" : " why=" + new TreeMap<>(errors));
    System.exit(0); // the client's selector thread is not a daemon
  }

  private static double ms(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p / 100.0) - 1);
    return sorted.get(Math.max(0, i)) / 1e6;
  }

  /** One stream's body: when its first byte came, and whether its last event was [DONE]. */
  private static final class Stream implements Flow.Subscriber<List<ByteBuffer>> {
    final long start;
    volatile long firstByte;
    private final byte[] tail = new byte[64];
    private int tailLength;

    Stream(long start) {
      this.start = start;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer b : buffers) {
        if (b.hasRemaining() && firstByte == 0) {
          firstByte = System.nanoTime();
        }
        keepTail(b);
      }
    }

    private void keepTail(ByteBuffer b) {
      int n = b.remaining();
      if (n >= tail.length) {
        b.position(b.limit() - tail.length);
        b.get(tail);
        tailLength = tail.length;
        return;
      }
      int keep = Math.min(tailLength, tail.length - n);
      System.arraycopy(tail, tailLength - keep, tail, 0, keep);
      b.get(tail, keep, n);
      tailLength = keep + n;
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}

    /** Null when the stream completed; otherwise a short reason. */
    String outcome(HttpResponse<Void> response, Throwable failure) {
      if (failure != null) {
        Throwable t = failure.getCause() != null ? failure.getCause() : failure;
        return t.getClass().getSimpleName();
      }
      if (response.statusCode() != 200) {
        return "status_" + response.statusCode();
      }
      String end = new String(tail, 0, tailLength, StandardCharsets.US_ASCII);
      return end.contains(new String(DONE, StandardCharsets.US_ASCII)) ? null : "no_done";
    }
  }

  private ServeLoad() {}
}
