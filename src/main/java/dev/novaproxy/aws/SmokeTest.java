package dev.novaproxy.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.NoAnswer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a deployed (or local) proxy from the outside: {@code GET /health}, then one real chat turn
 * through {@code POST /chat}. This is what a pipeline runs after deploying.
 */
public final class SmokeTest {
  /** One check: what was called, the HTTP status (0 when there was no answer), and the verdict. */
  public record Check(
      String name, String url, int status, boolean ok, long millis, String detail) {}

  /** All checks. */
  public record Result(String baseUrl, List<Check> checks) {
    public boolean healthy() {
      return checks.stream().allMatch(Check::ok);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private final HttpClient http;
  private final Duration timeout;

  public SmokeTest(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * The base URL for a deployment URL: {@code https://x/chat} and {@code https://x/} both give
   * {@code https://x}.
   */
  public static URI baseOf(String url) {
    String u = url.trim();
    if (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    if (u.endsWith("/chat")) {
      u = u.substring(0, u.length() - "/chat".length());
    }
    URI uri = URI.create(u);
    if (uri.getScheme() == null
        || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("'" + url + "' is not an http(s) URL");
    }
    return uri;
  }

  public Result run(URI base) {
    List<Check> checks = new ArrayList<>();
    checks.add(health(base));
    checks.add(chat(base));
    return new Result(base.toString(), checks);
  }

  /** {@code GET {base}/health} alone: does the proxy answer, without a chat turn. */
  public Check health(URI base) {
    URI url = URI.create(base + "/health");
    return call(
        "health",
        url,
        HttpRequest.newBuilder(url).GET(),
        body ->
            "ok".equals(body.path("status").asText())
                ? null
                : "no {\"status\":\"ok\"} in the answer");
  }

  private Check chat(URI base) {
    URI url = URI.create(base + "/chat");
    String request =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Reply with the word OK.\"}],\"max_tokens\":16}";
    return call(
        "chat",
        url,
        HttpRequest.newBuilder(url)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(request)),
        body ->
            body.path("choices").path(0).path("message").has("content")
                ? null
                : "no choices[0].message.content in the answer");
  }

  private Check call(
      String name,
      URI url,
      HttpRequest.Builder request,
      java.util.function.Function<JsonNode, String> verdict) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              ClientAuth.withTokenFromEnvironment(request).timeout(timeout).build(),
              HttpResponse.BodyHandlers.ofString());
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (r.statusCode() != 200) {
        return new Check(
            name,
            url.toString(),
            r.statusCode(),
            false,
            ms,
            "HTTP " + r.statusCode() + errorMessage(r.body()));
      }
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (IOException e) {
        return new Check(name, url.toString(), r.statusCode(), false, ms, "the answer is not JSON");
      }
      String problem = body == null ? "an empty answer" : verdict.apply(body);
      return new Check(
          name,
          url.toString(),
          r.statusCode(),
          problem == null,
          ms,
          problem == null ? "ok" : problem);
    } catch (IOException e) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new Check(
          name,
          url.toString(),
          0,
          false,
          ms,
          "no answer: " + NoAnswer.why(e, CONNECT_TIMEOUT, timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Check(name, url.toString(), 0, false, 0, "interrupted");
    }
  }

  /** The proxy's OpenAI-shaped error message, when there is one, to say why a check failed. */
  private static String errorMessage(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      String m = n == null ? "" : n.path("error").path("message").asText("");
      return m.isEmpty() ? "" : ": " + m;
    } catch (IOException e) {
      return "";
    }
  }
}
