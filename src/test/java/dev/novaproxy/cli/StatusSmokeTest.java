package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.FakeNova;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status --smoke --url} against a real loopback server: a small JDK HTTP server answers
 * /health itself and passes /chat on to the fake Nova, the way the proxy does.
 */
class StatusSmokeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeNova nova;
  private HttpServer proxy;
  private volatile int healthStatus = 200;

  @BeforeEach
  void start() throws IOException {
    nova = FakeNova.start();
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    HttpClient http = HttpClient.newHttpClient();
    proxy.createContext(
        "/health",
        ex -> reply(ex, healthStatus, healthStatus == 200 ? "{\"status\":\"ok\",\"version\":\"test\"}" : "{\"error\":{\"message\":\"down for tests\"}}"));
    proxy.createContext(
        "/chat",
        ex -> {
          try {
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(nova.baseUrl().resolve("/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            reply(ex, r.statusCode(), r.body());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(ex, 500, "{}");
          }
        });
    proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.stop(0);
    nova.close();
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
  void should_pass_when_health_and_one_chat_turn_answer() throws Exception {
    CliRun r = CliRun.run("status", "--smoke", "--url", url(), "-o", "json");
    assertThat(r.exitCode()).as("%s", r).isZero();
    JsonNode smoke = JSON.readTree(r.out()).get("smoke");
    assertThat(smoke.get("healthy").asBoolean()).isTrue();
    assertThat(smoke.get("checks")).extracting(c -> c.get("name").asText()).containsExactly("health", "chat");
    assertThat(smoke.get("checks")).allMatch(c -> c.get("status").asInt() == 200 && c.get("ok").asBoolean());
    // One real chat turn reached the upstream.
    assertThat(nova.chatRequests()).hasSize(1);
    assertThat(nova.chatRequests().get(0).json().at("/messages/0/content").asText()).isEqualTo("Reply with the word OK.");
  }

  @Test
  void should_exit_4_when_health_fails() {
    healthStatus = 503;
    CliRun r = CliRun.run("status", "--smoke", "--url", url());
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(r.out()).contains("health FAIL").contains("HTTP 503: down for tests");
    assertThat(r.err()).contains("Unhealthy: a smoke check failed");
  }

  @Test
  void should_exit_4_when_the_chat_turn_fails() {
    nova.enqueue(FakeNova.Reply.json(500, "{\"error\":{\"message\":\"model exploded\",\"type\":\"server_error\"}}"));
    CliRun r = CliRun.run("status", "--smoke", "--url", url());
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.UNHEALTHY);
    assertThat(r.out()).contains("health ok").contains("chat   FAIL").contains("HTTP 500: model exploded");
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
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("https://a.example.com/chat")).isEqualTo(URI.create("https://a.example.com"));
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("https://a.example.com/")).isEqualTo(URI.create("https://a.example.com"));
    assertThat(dev.novaproxy.aws.SmokeTest.baseOf("http://127.0.0.1:8080")).isEqualTo(URI.create("http://127.0.0.1:8080"));
  }
}
