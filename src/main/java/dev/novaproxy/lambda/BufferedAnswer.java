package dev.novaproxy.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.proxy.ErrorBodies;
import dev.novaproxy.proxy.ProxyException;
import dev.novaproxy.proxy.ProxyResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP API's answer: the proxy's response as one payload 2.0 response object, a stream
 * collected whole. Lambda refuses a buffered response over 6 MB and the client would see only API
 * Gateway's bare 500; the proxy answers a clear 502 instead, and stops reading a stream from Nova
 * as soon as it cannot fit.
 */
record BufferedAnswer(APIGatewayV2HTTPResponse response, byte[] json) {
  /** Lambda's limit for a synchronous (buffered) response payload. */
  static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  // The JSON envelope (status, headers, escaping) around the body, and the managed runtime's own
  // serialisation, need some room below the limit.
  private static final int ENVELOPE_ROOM = 4 * 1024;

  static BufferedAnswer of(ProxyResponse response) {
    return of(response, MAX_PAYLOAD_BYTES);
  }

  static BufferedAnswer of(ProxyResponse response, int maxPayloadBytes) {
    byte[] body = response.streaming() ? collect(response, maxPayloadBytes) : response.body();
    if (body != null) {
      BufferedAnswer answer = build(response.status(), response.headers(), body);
      if (answer.json.length <= maxPayloadBytes - ENVELOPE_ROOM) {
        return answer;
      }
    }
    return tooLarge(response, maxPayloadBytes);
  }

  /** The stream's events, or null once they no longer fit (the stream is then cut off). */
  private static byte[] collect(ProxyResponse response, int maxBytes) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try {
      response.stream()
          .writeTo(
              event -> {
                if (all.size() + event.length > maxBytes) {
                  throw new TooLarge(); // the relay stops reading from Nova
                }
                all.write(event);
              });
    } catch (TooLarge e) {
      return null;
    } catch (IOException e) {
      throw new IllegalStateException("an in-memory sink cannot fail", e);
    }
    return all.toByteArray();
  }

  private static BufferedAnswer tooLarge(ProxyResponse original, int maxPayloadBytes) {
    ProxyException e =
        new ProxyException(
            502,
            "upstream_error",
            "response_too_large",
            null,
            "Nova's answer is larger than the "
                + maxPayloadBytes / (1024 * 1024)
                + " MB a buffered Lambda response can carry; use the stream URL, or ask for fewer"
                + " tokens (max_tokens).");
    ProxyResponse error = ErrorBodies.response(e);
    // The request id and CORS headers still apply; the content headers are the error's own.
    original
        .headers()
        .forEach(
            (k, v) -> {
              String name = k.toLowerCase(Locale.ROOT);
              if (!name.equals("content-type") && !name.equals("cache-control")) {
                error.header(k, v);
              }
            });
    return build(error.status(), error.headers(), error.body());
  }

  private static BufferedAnswer build(int status, Map<String, String> headers, byte[] body) {
    Map<String, String> lower = new HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    String text = new String(body, StandardCharsets.UTF_8);
    APIGatewayV2HTTPResponse response =
        APIGatewayV2HTTPResponse.builder()
            .withStatusCode(status)
            .withHeaders(lower)
            .withBody(text)
            .withIsBase64Encoded(false)
            .build();
    ObjectNode json = JSON.createObjectNode();
    json.put("statusCode", status);
    ObjectNode h = json.putObject("headers");
    lower.forEach(h::put);
    json.put("body", text);
    json.put("isBase64Encoded", false);
    return new BufferedAnswer(response, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Thrown by the collecting sink; an IOException so that the relay cancels Nova's stream. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("the answer does not fit in a buffered Lambda response", null);
    }
  }
}
