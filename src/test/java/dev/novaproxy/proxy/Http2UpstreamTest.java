package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novaproxy.testing.FakeNovaH2;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The way the proxy reaches Nova in production: https, HTTP/2 by ALPN, one multiplexed connection,
 * the client's work on its own I/O thread. The upstream is a real HTTP/2 server over TLS on
 * loopback ({@link FakeNovaH2}).
 */
class Http2UpstreamTest {
  private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String CHAT_STREAM =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final List<String> log = new CopyOnWriteArrayList<>();

  private ProxyHandler proxyFor(FakeNovaH2 nova) {
    ProxySettings settings = ProxySettings.defaults().withUpstream(nova.baseUrl());
    return new ProxyHandler(
        settings,
        () -> "h2-test-key",
        new AccessLog(log::add, false),
        NovaUpstream.newHttpClient(settings, nova.clientContext()));
  }

  private static ProxyResponse post(ProxyHandler proxy, String body) {
    return proxy.handle(
        new ProxyRequest(
            "POST",
            "/chat",
            Map.of("content-type", "application/json"),
            body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(ProxyResponse response) throws Exception {
    if (!response.streaming()) {
      return new String(response.body(), StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    response.stream().writeTo(out::writeBytes);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void should_answer_and_stream_over_tls_and_http2() throws Exception {
    try (FakeNovaH2 nova = FakeNovaH2.start(0)) {
      ProxyHandler proxy = proxyFor(nova);
      ProxyResponse whole = post(proxy, CHAT);
      assertThat(whole.status()).isEqualTo(200);
      assertThat(text(whole)).isEqualTo(FakeNovaH2.ANSWER);

      ProxyResponse stream = post(proxy, CHAT_STREAM);
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.streaming()).isTrue();
      assertThat(text(stream)).contains("\"over\"").contains("\" h2\"").endsWith("[DONE]\n\n");

      assertThat(nova.answered()).isEqualTo(2);
      assertThat(nova.connections()).as("one multiplexed connection").isEqualTo(1);
    }
  }

  @Test
  void should_multiplex_concurrent_requests_on_one_connection() throws Exception {
    // The client's work runs on its one I/O thread: many streams at once must all complete.
    try (FakeNovaH2 nova = FakeNovaH2.start(0)) {
      ProxyHandler proxy = proxyFor(nova);
      ExecutorService clients = Executors.newFixedThreadPool(16);
      try {
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
          String body = i % 4 == 0 ? CHAT_STREAM : CHAT;
          answers.add(clients.submit(() -> text(post(proxy, body))));
        }
        for (Future<String> answer : answers) {
          assertThat(answer.get(20, TimeUnit.SECONDS)).contains("over").doesNotContain("error");
        }
      } finally {
        clients.shutdownNow();
      }
      assertThat(nova.answered()).isEqualTo(400);
      // The first requests race to connect (the JDK opens one connection each until one has
      // negotiated h2); after that the streams share those connections.
      assertThat(nova.connections()).isBetween(1, 16);
    }
  }

  @Test
  void should_send_again_once_when_nova_recycles_the_connection_before_answering()
      throws Exception {
    // Each connection serves one request; the next request on it gets a GOAWAY saying it was
    // never processed. JDK 17's client fails such a request; the proxy sends it once more.
    try (FakeNovaH2 nova = FakeNovaH2.start(1)) {
      ProxyHandler proxy = proxyFor(nova);
      for (int i = 0; i < 3; i++) {
        ProxyResponse r =
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> post(proxy, CHAT));
        assertThat(r.status()).as("request %d: %s", i, text(r)).isEqualTo(200);
        assertThat(text(r)).isEqualTo(FakeNovaH2.ANSWER);
      }
      assertThat(nova.answered()).isEqualTo(3);
      assertThat(nova.goAways()).isEqualTo(2);
      assertThat(log).noneMatch(line -> line.contains("\"status\":502"));
    }
  }
}
