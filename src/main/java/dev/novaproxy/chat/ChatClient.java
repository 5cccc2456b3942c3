package dev.novaproxy.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.chat.ChatException.Kind;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.NoAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Talks to the proxy over HTTP: one chat completion per turn, streamed as server-sent events or
 * whole, and the model list. Every failure becomes a {@link ChatException} whose message names the
 * URL and what to do, because the user sees it as is.
 */
public final class ChatClient {
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final ChatEndpoint endpoint;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private final Duration timeout;
  private final CompletableFuture<HttpClient> http;

  public ChatClient(ChatEndpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    // Building the HTTP client loads the TLS stack and reads the trust store (a third of a second
    // on a small machine); doing it while the REPL draws its prompt keeps the start-up quick.
    this.http =
        CompletableFuture.supplyAsync(
            ChatClient::newHttpClient,
            task -> {
              Thread t = new Thread(task, "novaproxy-http-init");
              t.setDaemon(true);
              t.start();
            });
  }

  private static HttpClient newHttpClient() {
    Json.MAPPER.createObjectNode();
    // HTTP/1.1: the local proxy speaks it, and h2c upgrade attempts only cost a round trip.
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Jackson, loaded on first use rather than when the client is made. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  public ChatEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Asks one question.
   *
   * @param model the model, or null to let the proxy choose its default
   * @param onText receives the answer's text as it arrives (once, whole, when not streamed)
   */
  public Answer complete(
      List<Message> messages,
      String model,
      boolean stream,
      Consumer<String> onText,
      Cancellation cancel) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    if (model != null) {
      body.put("model", model);
    }
    ArrayNode list = body.putArray("messages");
    messages.forEach(m -> list.add(m.json()));
    if (stream) {
      body.put("stream", true);
    }
    HttpRequest request =
        ClientAuth.withTokenFromEnvironment(HttpRequest.newBuilder(endpoint.completions()))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", stream ? "text/event-stream, application/json" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<InputStream> response = send(request, cancel);
      try (InputStream in = response.body()) {
        cancel.attach(in);
        if (response.statusCode() >= 300) {
          throw failure(
              response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), in);
        }
        String type =
            response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/event-stream")) {
          return readStream(in, onText, cancel);
        }
        return readWhole(in, onText);
      }
    } catch (IOException e) {
      throw cancel.cancelled() ? stopped() : unreachable(e);
    } finally {
      cancel.finish();
    }
  }

  /** The model ids the proxy offers ({@code GET /v1/models}). */
  public List<String> models(Cancellation cancel) {
    HttpRequest request =
        ClientAuth.withTokenFromEnvironment(HttpRequest.newBuilder(endpoint.models()))
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response = send(request, cancel);
      try (InputStream in = response.body()) {
        cancel.attach(in);
        if (response.statusCode() >= 300) {
          throw failure(
              response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), in);
        }
        JsonNode data = parse(in.readAllBytes()).path("data");
        List<String> ids = new ArrayList<>();
        data.forEach(m -> ids.add(m.path("id").asText()));
        return ids;
      }
    } catch (IOException e) {
      throw cancel.cancelled() ? stopped() : unreachable(e);
    } finally {
      cancel.finish();
    }
  }

  private HttpResponse<InputStream> send(HttpRequest request, Cancellation cancel)
      throws IOException {
    try {
      return http.join().send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      if (cancel.cancelled()) {
        throw stopped();
      }
      Thread.currentThread().interrupt();
      throw new ChatException(Kind.STOPPED, 0, "Interrupted.", e);
    }
  }

  private Answer readStream(InputStream in, Consumer<String> onText, Cancellation cancel)
      throws IOException {
    StringBuilder text = new StringBuilder();
    String[] finish = {null};
    boolean complete;
    try {
      complete =
          ServerSentEvents.read(
              in,
              data -> {
                if (cancel.cancelled()) {
                  throw stopped();
                }
                if (data.strip().equals("[DONE]")) {
                  return false;
                }
                JsonNode chunk = parseEvent(data);
                if (chunk.has("error")) {
                  throw new ChatException(
                      Kind.PROXY_FAILED,
                      200,
                      "The answer failed mid-stream: " + errorMessage(chunk) + ".",
                      null);
                }
                JsonNode choice = chunk.path("choices").path(0);
                String delta = choice.path("delta").path("content").asText("");
                if (!delta.isEmpty()) {
                  text.append(delta);
                  onText.accept(delta);
                }
                if (choice.hasNonNull("finish_reason")) {
                  finish[0] = choice.get("finish_reason").asText();
                }
                return true;
              });
    } catch (IOException e) {
      if (cancel.cancelled()) {
        throw stopped();
      }
      throw cutOff(e);
    }
    if (cancel.cancelled()) {
      throw stopped();
    }
    if (!complete && finish[0] == null) {
      throw cutOff(null);
    }
    return new Answer(text.toString(), finish[0], null);
  }

  private Answer readWhole(InputStream in, Consumer<String> onText) {
    byte[] bytes;
    try {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw cutOff(e);
    }
    JsonNode json = parse(bytes);
    JsonNode choice = json.path("choices").path(0);
    JsonNode content = choice.path("message").path("content");
    if (!(json instanceof ObjectNode object) || choice.isMissingNode()) {
      throw new ChatException(
          Kind.PROXY_FAILED,
          200,
          "The answer from " + endpoint.url() + " is not a chat completion; is the URL right?",
          null);
    }
    String text = content.isTextual() ? content.asText() : "";
    onText.accept(text);
    String finish =
        choice.hasNonNull("finish_reason") ? choice.get("finish_reason").asText() : null;
    return new Answer(text, finish, object);
  }

  /** The proxy's error answer as one line: its own message, and for 429 when to try again. */
  private ChatException failure(int status, String retryAfter, InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_ERROR_BODY);
    String message;
    try {
      message = errorMessage(Json.MAPPER.readTree(bytes));
    } catch (JsonProcessingException e) {
      message = null;
    }
    if (message == null) {
      message =
          "HTTP " + status + " with no error message (is " + endpoint.url() + " a novaproxy?)";
    }
    message = stripDot(message);
    if (status == 429) {
      // The proxy's own message already says when ("retry after 30 s"): do not say it twice.
      String when =
          message.toLowerCase(Locale.ROOT).contains("retry")
              ? ""
              : retryAfter != null && retryAfter.strip().matches("\\d+")
                  ? "; retry in " + retryAfter.strip() + " s"
                  : "; wait a little and retry";
      return new ChatException(
          Kind.RATE_LIMITED, status, "Rate limited (429): " + message + when + ".", null);
    }
    if (status >= 500) {
      return new ChatException(
          Kind.PROXY_FAILED, status, "The proxy failed (" + status + "): " + message + ".", null);
    }
    return new ChatException(
        Kind.REJECTED,
        status,
        "The proxy refused the request (" + status + "): " + message + ".",
        null);
  }

  private static String errorMessage(JsonNode body) {
    JsonNode error = body.path("error");
    if (error.isTextual()) {
      return error.asText();
    }
    JsonNode message = error.path("message");
    if (!message.isTextual()) {
      // API Gateway's own answers, its throttling 429 for one: {"message":"Too Many Requests"}.
      message = body.path("message");
    }
    return message.isTextual() && !message.asText().isBlank() ? message.asText() : null;
  }

  private ChatException unreachable(IOException e) {
    String why = NoAnswer.why(e, CONNECT_TIMEOUT, timeout);
    return new ChatException(
        Kind.UNREACHABLE,
        0,
        "Cannot reach the proxy at " + endpoint.url() + ": " + why + ". " + hint(),
        e);
  }

  private static String hint() {
    return "Start it with 'novaproxy serve' (or use 'novaproxy chat --local'), or check a deployment with 'novaproxy status'.";
  }

  /** Parses JSON from the proxy; {@code problem} is what the user is told when it is not. */
  private JsonNode parse(byte[] body, String problem) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ChatException(Kind.PROXY_FAILED, 200, problem, e);
    }
  }

  private JsonNode parse(byte[] body) {
    return parse(body, "The answer from " + endpoint.url() + " is not JSON; is the URL right?");
  }

  private JsonNode parseEvent(String data) {
    return parse(
        data.getBytes(StandardCharsets.UTF_8),
        "The stream from " + endpoint.url() + " holds an event that is not JSON.");
  }

  private ChatException cutOff(IOException cause) {
    return new ChatException(
        Kind.PROXY_FAILED,
        200,
        "The answer from " + endpoint.url() + " was cut off before its end; ask again.",
        cause);
  }

  private static ChatException stopped() {
    return new ChatException(Kind.STOPPED, "Stopped.");
  }

  private static String stripDot(String s) {
    String t = s.strip();
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }
}
