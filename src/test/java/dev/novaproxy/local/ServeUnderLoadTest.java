package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve} under load, over real HTTP against the loopback Nova: the capacity and its 503, a
 * client that stops reading, clients that leave early, shutdown with streams in flight, and a soak.
 * The timeouts are hang guards, not speed assertions.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServeUnderLoadTest {
  private static final String KEY = "sk-nova-TEST-KEY-do-not-leak-4f1c9a";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
  private static final String WHOLE =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private FakeNova nova;
  private LocalProxyServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.shutdown(Duration.ofSeconds(1));
    }
    if (nova != null) {
      nova.close();
    }
  }

  private void start(Capacity capacity, int threads) throws IOException {
    start(capacity, threads, () -> KEY);
  }

  private void start(Capacity capacity, int threads, SecretSource key) throws IOException {
    nova = FakeNova.start().requireKey(KEY);
    ProxyHandler handler =
        new ProxyHandler(
            ProxySettings.defaults().withUpstream(nova.baseUrl()), key, AccessLog.discarding());
    server = LocalProxyServer.start(handler, "127.0.0.1", 0, capacity, threads);
  }

  private void start(Capacity capacity) throws IOException {
    start(capacity, LocalProxyServer.FRONT_THREADS);
  }

  private HttpRequest chat(String body) {
    return HttpRequest.newBuilder(server.baseUrl().resolve("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = server.baseUrl().resolve(path);
    return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> streamAsync() {
    return client.sendAsync(chat(STREAM), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void should_refuse_chats_past_the_capacity_at_once_and_still_answer_health_and_models()
      throws Exception {
    start(new Capacity(2, Duration.ofSeconds(30)));
    CountDownLatch gate = new CountDownLatch(1);
    nova.enqueue(
        Reply.streamHeld(gate, "first", " second"), Reply.streamHeld(gate, "first", " second"));
    List<CompletableFuture<HttpResponse<String>>> held = List.of(streamAsync(), streamAsync());
    nova.awaitChatRequests(2, Duration.ofSeconds(30));

    HttpResponse<String> refused = client.send(chat(STREAM), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("retry-after")).contains("1");
    assertThat(refused.headers().firstValue("x-request-id")).isPresent();
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("over_capacity");
    assertThat(error.path("message").asText()).contains("--max-in-flight");
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/v1/models").statusCode()).isEqualTo(200);
    assertThat(nova.chatRequests()).as("the refused chat never reached Nova").hasSize(2);

    gate.countDown();
    for (CompletableFuture<HttpResponse<String>> f : held) {
      assertThat(f.get().statusCode()).isEqualTo(200);
      assertThat(f.get().body()).contains("data: [DONE]");
    }
    HttpResponse<String> after = client.send(chat(STREAM), HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).as("capacity freed by the finished streams").isEqualTo(200);
  }

  @Test
  void should_drop_a_client_that_stops_reading_and_cancel_its_stream_at_nova() throws Exception {
    start(new Capacity(10, Duration.ofSeconds(1)));
    // About 20 MB as fast as Nova can send: more than every socket buffer on the way can hold, so
    // serve's writes to the client block once its buffers are full.
    String[] deltas = new String[10_000];
    Arrays.fill(deltas, "x".repeat(2048));
    nova.enqueue(Reply.stream(Duration.ZERO, deltas));
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
      send(stalled, STREAM);
      // Never reads.
      nova.awaitCancelledStreams(1, Duration.ofSeconds(60));
    }
    while (server.inFlight() > 0) {
      Thread.sleep(10); // the thread that wrote to the stalled client is free again
    }
    HttpResponse<String> next = client.send(chat(WHOLE), HttpResponse.BodyHandlers.ofString());
    assertThat(next.statusCode()).isEqualTo(200);
  }

  @Test
  void should_cancel_the_stream_at_nova_when_the_client_leaves_mid_stream() throws Exception {
    start(new Capacity(10, Duration.ofSeconds(30)));
    String[] deltas = new String[2_000];
    Arrays.fill(deltas, " word");
    nova.enqueue(Reply.stream(Duration.ofMillis(20), deltas));
    try (Socket leaving = new Socket(InetAddress.getLoopbackAddress(), port())) {
      send(leaving, STREAM);
      InputStream in = leaving.getInputStream();
      String head = new String(in.readNBytes(200), StandardCharsets.ISO_8859_1);
      assertThat(head).startsWith("HTTP/1.1 200");
    }
    nova.awaitCancelledStreams(1, Duration.ofSeconds(60));
  }

  @Test
  void should_not_send_a_chat_to_nova_when_its_client_left_while_it_waited_for_a_thread()
      throws Exception {
    // Four threads start requests: Jetty's acceptor and selector, and two that take requests (the
    // pool keeps no reserved thread, which would make it one or two). The only wait a chat's start
    // has on them is the key's first fetch, so a key that has not come yet keeps two chats on them,
    // with the next chat queued behind.
    CountDownLatch keyCame = new CountDownLatch(1);
    start(
        new Capacity(100, Duration.ofSeconds(30)),
        4,
        () -> {
          try {
            keyCame.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return KEY;
        });
    nova.enqueue(Reply.stream(Duration.ZERO, "first"), Reply.stream(Duration.ZERO, "first"));
    List<CompletableFuture<HttpResponse<String>>> held = List.of(streamAsync(), streamAsync());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.inFlight() < 2 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(server.inFlight()).as("both chats wait for the key on the two threads").isEqualTo(2);

    try (Socket impatient = new Socket(InetAddress.getLoopbackAddress(), port())) {
      send(impatient, STREAM);
      impatient.shutdownOutput(); // gone, as far as the server can tell
      keyCame.countDown();
      for (CompletableFuture<HttpResponse<String>> f : held) {
        assertThat(f.get().statusCode()).isEqualTo(200);
      }
      // The server closes the connection once it has dealt with the request; nothing came back.
      byte[] answer = readToEnd(impatient.getInputStream());
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("data:");
    }
    assertThat(nova.chatRequests()).as("only the chats that waited for the key").hasSize(2);
  }

  @Test
  void should_read_a_slowly_sent_body_without_holding_a_thread() throws Exception {
    start(new Capacity(100, Duration.ofSeconds(30)), 4);
    List<Socket> slow = new ArrayList<>();
    try {
      // More half-sent bodies than the two threads that take requests: none holds one.
      for (int i = 0; i < 6; i++) {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port());
        OutputStream out = socket.getOutputStream();
        byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
        out.write(
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, 10);
        out.flush();
        slow.add(socket);
      }
      // Within seconds, where a thread held by each body would wait for the 30 s idle timeout.
      Duration soon = Duration.ofSeconds(5);
      HttpRequest health =
          HttpRequest.newBuilder(server.baseUrl().resolve("/health")).timeout(soon).build();
      assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
      HttpRequest another =
          HttpRequest.newBuilder(chat(STREAM), (name, value) -> true).timeout(soon).build();
      HttpResponse<String> whole = client.send(another, HttpResponse.BodyHandlers.ofString());
      assertThat(whole.statusCode()).isEqualTo(200);
      assertThat(whole.body()).contains("data: [DONE]");

      // The rest of one body comes: that chat is answered too.
      Socket last = slow.get(0);
      byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
      last.getOutputStream().write(body, 10, body.length - 10);
      last.getOutputStream().flush();
      assertThat(readUntil(last, "data: [DONE]")).startsWith("HTTP/1.1 200");
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void should_stream_far_more_chats_at_once_than_it_has_threads() throws Exception {
    int streams = 150;
    // Twenty threads in all: a stream's events go from the upstream's I/O thread to the client's
    // without a thread of its own.
    start(new Capacity(streams, Duration.ofSeconds(30)), 20);
    CountDownLatch gate = new CountDownLatch(1);
    List<FirstEvent> opened = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      nova.enqueue(Reply.streamHeld(gate, "first", " second"));
    }
    for (int i = 0; i < streams; i++) {
      FirstEvent stream = new FirstEvent();
      stream.response =
          client.sendAsync(
              chat(STREAM), info -> HttpResponse.BodySubscribers.fromSubscriber(stream));
      opened.add(stream);
    }
    for (FirstEvent stream : opened) {
      assertThat(stream.first.get(60, TimeUnit.SECONDS))
          .as("every stream's first event arrived while Nova held all of them open")
          .contains("first");
    }
    assertThat(nova.chatRequests()).hasSize(streams);
    gate.countDown();
    for (FirstEvent stream : opened) {
      assertThat(stream.response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(stream.body()).contains("first", " second", "data: [DONE]");
    }
  }

  @Test
  void should_hold_no_thread_while_chats_wait_for_novas_answer() throws Exception {
    int chats = 100;
    start(new Capacity(chats, Duration.ofSeconds(30)), 20);
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < chats; i++) {
      nova.enqueue(Reply.held(gate, Reply.echo())); // streamed when the chat asks
    }
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < chats; i++) {
      waiting.add(
          client.sendAsync(
              chat(i % 2 == 0 ? STREAM : WHOLE), HttpResponse.BodyHandlers.ofString()));
    }
    // With a thread per chat waiting for Nova, about as many as the pool has threads could be.
    nova.awaitChatRequests(chats, Duration.ofSeconds(60));
    assertThat(get("/health").statusCode()).isEqualTo(200);

    gate.countDown();
    for (int i = 0; i < chats; i++) {
      HttpResponse<String> r = waiting.get(i).get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains(i % 2 == 0 ? "data: [DONE]" : "echo: Hello there");
    }
  }

  /** A streamed body that says when its first whole event has come. */
  private static final class FirstEvent
      implements java.util.concurrent.Flow.Subscriber<List<java.nio.ByteBuffer>> {
    final CompletableFuture<String> first = new CompletableFuture<>();
    final StringBuilder text = new StringBuilder();
    CompletableFuture<HttpResponse<Void>> response;

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(List<java.nio.ByteBuffer> buffers) {
      for (java.nio.ByteBuffer b : buffers) {
        text.append(StandardCharsets.UTF_8.decode(b));
      }
      if (text.indexOf("\n\n") >= 0) {
        first.complete(text.toString());
      }
    }

    @Override
    public void onError(Throwable t) {
      first.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      first.complete(text.toString());
    }

    synchronized String body() {
      return text.toString();
    }
  }

  @Test
  void should_finish_streams_in_flight_on_shutdown_and_refuse_new_chats() throws Exception {
    start(new Capacity(100, Duration.ofSeconds(30)));
    int streams = 20;
    CountDownLatch gate = new CountDownLatch(1);
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      nova.enqueue(Reply.streamHeld(gate, "first", " second", " third"));
    }
    for (int i = 0; i < streams; i++) {
      inFlight.add(streamAsync());
    }
    nova.awaitChatRequests(streams, Duration.ofSeconds(60));
    ExecutorService stopper = Executors.newSingleThreadExecutor();
    try {
      Future<?> stopped = stopper.submit(() -> server.shutdown(Duration.ofSeconds(60)));
      HttpResponse<String> refused;
      do {
        refused = client.send(chat(STREAM), HttpResponse.BodyHandlers.ofString());
      } while (refused.statusCode() == 200); // sent before the shutdown began
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).contains("1");
      assertThat(JSON.readTree(refused.body()).path("error").path("code").asText())
          .isEqualTo("shutting_down");

      gate.countDown();
      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("first", " second", " third", "data: [DONE]");
      }
      stopped.get(60, TimeUnit.SECONDS);
    } finally {
      stopper.shutdownNow();
    }
    server = null;
  }

  @Test
  void should_answer_twenty_thousand_requests_on_64_connections_without_an_error()
      throws Exception {
    start(Capacity.DEFAULT);
    int connections = 64;
    int each = 20_000 / connections + 1;
    ExecutorService callers = Executors.newFixedThreadPool(connections);
    try {
      List<Future<Integer>> answered = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        answered.add(
            callers.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < each; i++) {
                    boolean stream = i % 2 == 0;
                    HttpResponse<String> r =
                        client.send(
                            chat(stream ? STREAM : WHOLE), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200
                        && r.body().contains(stream ? "data: [DONE]" : "echo: Hello there")) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      int ok = 0;
      for (Future<Integer> f : answered) {
        ok += f.get();
      }
      assertThat(ok).isEqualTo(connections * each);
      assertThat(connections * each).isGreaterThanOrEqualTo(20_000);
    } finally {
      callers.shutdownNow();
    }
  }

  private int port() {
    return server.port();
  }

  private static void send(Socket socket, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** What the server sends on {@code socket} up to and including {@code end}, within 30 s. */
  private static String readUntil(Socket socket, String end) throws IOException {
    socket.setSoTimeout(30_000);
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[4096];
    InputStream in = socket.getInputStream();
    while (text.indexOf(end) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
    }
    return text.toString();
  }

  private static byte[] readToEnd(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException reset) {
      return new byte[0]; // closed with a reset: nothing came back either
    }
  }
}
