package dev.novaproxy.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.proxy.ErrorBodies;
import dev.novaproxy.proxy.ProxyException;
import dev.novaproxy.proxy.ProxyResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The function URL's answer: the proxy's response streamed in Lambda's HTTP integration format
 * (content type {@code application/vnd.awslambda.http-integration-response}: a JSON prelude with
 * the status and headers, 8 NUL bytes, then the body;
 * aws/aws-lambda-nodejs-runtime-interface-client src/HttpResponseStream.js). Every event is a chunk
 * of its own, sent as Nova's arrives.
 *
 * <p>The status is real: errors found before the first byte (a bad request, a refused token, Nova
 * failing to answer) reach the client with their HTTP status and the OpenAI error body. Once the
 * prelude is out the status cannot change, so a stream that breaks ends with an error event (as
 * under {@code serve}) and the Runtime API's error trailers.
 *
 * <p>No CORS headers: the function URL's own CORS configuration answers preflights and adds them to
 * every response, and Lambda sends the function's as well, so a browser would see {@code
 * Access-Control-Allow-Origin} twice and refuse the answer. The origin policy itself (refusing
 * other origins before Nova) stays in the proxy core, the same at both doors.
 */
final class FunctionUrlAnswer {
  static final String CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

  /** The most a streamed response may carry (Lambda's documented maximum, 200 MB). */
  static final long MAX_STREAM_BYTES = 200L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] DELIMITER = new byte[8];
  // Room kept below the limit for the error event that says the limit was reached.
  private static final int ERROR_ROOM = 1024;

  private final long maxBytes;

  FunctionUrlAnswer(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Writes the whole answer and ends the response, with the error trailers when the stream broke.
   * The caller closes {@code out}.
   *
   * @return the Runtime API's answer to the response
   * @throws IOException when the Runtime API connection failed (the relay has then stopped reading
   *     from Nova)
   */
  RuntimeHttp.Reply write(ProxyResponse response, StreamedResponse out) throws IOException {
    out.write(prelude(response));
    if (!response.streaming()) {
      out.write(response.body());
      return out.finish();
    }
    Sink sink = new Sink(out);
    try {
      response.stream().writeTo(sink);
    } catch (LimitReached e) {
      sink.failure = e.error;
    }
    if (sink.failure == null) {
      return out.finish();
    }
    return out.fail(
        RuntimeError.of(
            sink.failure.type() + "." + sink.failure.code(), sink.failure.getMessage()));
  }

  /** The status and headers as JSON, then the 8 NUL bytes that end the prelude. */
  static byte[] prelude(ProxyResponse response) {
    ObjectNode prelude = JSON.createObjectNode();
    prelude.put("statusCode", response.status());
    ObjectNode headers = prelude.putObject("headers");
    for (Map.Entry<String, String> h : response.headers().entrySet()) {
      if (!isCors(h.getKey(), h.getValue())) {
        headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
      }
    }
    prelude.putArray("cookies");
    // Jackson escapes control characters, so the JSON holds no NUL byte of its own.
    byte[] json = prelude.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[json.length + DELIMITER.length];
    System.arraycopy(json, 0, out, 0, json.length);
    return out;
  }

  private static boolean isCors(String name, String value) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.startsWith("access-control-") || (n.equals("vary") && value.equals("Origin"));
  }

  /** Sends each event as one chunk, counting bytes against the streamed limit. */
  private final class Sink implements ProxyResponse.EventSink {
    private final StreamedResponse out;
    private ProxyException failure;

    Sink(StreamedResponse out) {
      this.out = out;
    }

    @Override
    public void event(byte[] bytes) throws IOException {
      if (out.bodyBytes() + bytes.length > maxBytes - ERROR_ROOM) {
        ProxyException tooLarge =
            new ProxyException(
                502,
                "upstream_error",
                "response_too_large",
                null,
                "The answer reached the "
                    + maxBytes / (1024 * 1024)
                    + " MB a streamed Lambda response can carry and was cut there.");
        out.write(ErrorBodies.event(tooLarge));
        throw new LimitReached(tooLarge); // the relay stops reading from Nova
      }
      out.write(bytes);
    }

    @Override
    public void error(byte[] event, ProxyException cause) throws IOException {
      failure = cause;
      out.write(event);
    }
  }

  /** Ends the relay (an IOException, so it cancels Nova's stream) at the size limit. */
  private static final class LimitReached extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient ProxyException error;

    LimitReached(ProxyException error) {
      super("the streamed response reached its size limit", null);
      this.error = error;
    }
  }
}
