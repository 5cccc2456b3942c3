package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.RunningProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status --smoke --url} against real loopback servers: the local proxy in front of the fake
 * Nova, and a small JDK HTTP server for a failing /health (the real proxy's never fails).
 */
class StatusSmokeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer proxy;
  private volatile int healthStatus = 200;

  @BeforeEach
  void start() throws IOException {
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext(
        "/health",
        ex ->
            reply(
                ex,
                healthStatus,
                healthStatus == 200
                    ? "{\"status\":\"ok\",\"version\":\"test\"}"
                    : "{\"error\":{\"message\":\"down for tests\"}}"));
    proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.stop(0);
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private String url() {
    return "http://127.0.0.1:" + proxy.getAddress().getPort() + "/chat";
  }

  @Test
  void should_pass_against_the_real_local_proxy() throws Exception {
    try (RunningProxy real = RunningProxy.start()) {
      CliRun r =
          CliRun.run("status", "--smoke", "--url", real.server.baseUrl().toString(), "-o", "json");
      assertThat(r.exitCode()).as("%s", r).isZero();
      JsonNode smoke = JSON.readTree(r.out()).get("smoke");
      assertThat(smoke.get("healthy").asBoolean()).isTrue();
      assertThat(smoke.get("checks"))
          .extracting(c -> c.get("name").asText())
          .containsExactly("health", "chat");
      assertThat(smoke.get("checks"))
          .allMatch(c -> c.get("status").asInt() == 200 && c.get("ok").asBoolean());
      // One real chat turn went through the proxy to the upstream, with the key the proxy holds.
      assertThat(real.nova.chatRequests()).hasSize(1);
      assertThat(real.nova.chatRequests().get(0).json().at("/messages/0/content").asText())
          .isEqualTo("Reply with the word OK.");
      assertThat(r.out() + r.err()).doesNotContain(RunningProxy.KEY);
    }
  }

  @Test
  void should_exit_4_when_the_chat_turn_fails() {
    try (RunningProxy real = RunningProxy.start()) {
      real.nova.enqueue(
          FakeNova.Reply.json(
              500, "{\"error\":{\"message\":\"model exploded\",\"type\":\"server_error\"}}"));
      CliRun r = CliRun.run("status", "--smoke", "--url", real.server.baseUrl() + "/chat");
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.UNHEALTHY);
      assertThat(r.out())
          .contains("health ok")
          .contains("chat   FAIL")
          .containsPattern("HTTP 5\\d\\d");
      assertThat(r.err()).contains("Unhealthy: a smoke check failed");
    }
  }

  @Test
  void should_exit_4_when_health_fails() {
    healthStatus = 503;
    CliRun r = CliRun.run("status", "--smoke", "--url", url());
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(r.out()).contains("health FAIL").contains("HTTP 503: down for tests");
  }

  @Test
  void should_exit_4_when_nothing_answers() throws IOException {
    int port;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun r = CliRun.run("status", "--smoke", "--url", "http://127.0.0.1:" + port, "-o", "json");
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.UNHEALTHY);
    JsonNode checks = null;
    try {
      checks = JSON.readTree(r.out()).at("/smoke/checks");
    } catch (IOException e) {
      throw new AssertionError(r.toString(), e);
    }
    assertThat(checks.get(0).get("status").asInt()).isZero();
    assertThat(checks.get(0).get("detail").asText()).startsWith("no answer");
  }

  @Test
  void should_refuse_a_url_that_is_not_http() {
    CliRun r = CliRun.run("status", "--smoke", "--url", "ftp://example.com");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRun noSmoke = CliRun.run("status", "--url", url());
    assertThat(noSmoke.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noSmoke.err()).contains("--url is for --smoke");
  }

  @Test
  void should_take_the_base_or_the_chat_url() {
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("https://a.example.com/chat"))
        .isEqualTo(URI.create("https://a.example.com"));
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("https://a.example.com/"))
        .isEqualTo(URI.create("https://a.example.com"));
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("http://127.0.0.1:8080"))
        .isEqualTo(URI.create("http://127.0.0.1:8080"));
  }
}
