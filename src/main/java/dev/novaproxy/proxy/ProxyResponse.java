package dev.novaproxy.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the proxy answers: a status, headers and either a complete body or an event stream that the
 * server writes out as it arrives ({@code serve}) or collects whole (Lambda).
 */
public record ProxyResponse(
    int status, Map<String, String> headers, byte[] body, EventStream stream) {
  public ProxyResponse {
    headers = new LinkedHashMap<>(headers);
  }

  public static ProxyResponse json(int status, byte[] body) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    return new ProxyResponse(status, h, body, null);
  }

  public static ProxyResponse json(int status, String body) {
    return json(status, body.getBytes(StandardCharsets.UTF_8));
  }

  public static ProxyResponse eventStream(EventStream stream) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "text/event-stream; charset=utf-8");
    h.put("Cache-Control", "no-cache");
    return new ProxyResponse(200, h, null, stream);
  }

  public static ProxyResponse empty(int status) {
    return new ProxyResponse(status, new LinkedHashMap<>(), new byte[0], null);
  }

  public boolean streaming() {
    return stream != null;
  }

  /** Adds or replaces a header; the map is this response's own. */
  public ProxyResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Server-sent events produced while the response is being written. */
  @FunctionalInterface
  public interface EventStream {
    /**
     * Writes every event to the sink, in order, returning when the stream has ended. A broken
     * upstream ends with an error event rather than an exception; an exception here means the
     * client went away.
     */
    void writeTo(EventSink sink) throws IOException;
  }

  /** Where a stream's events go: each call is one complete event, flushed to the client. */
  @FunctionalInterface
  public interface EventSink {
    void event(byte[] bytes) throws IOException;

    /**
     * The last event of a stream that broke after it began: {@code event} is the error as a
     * server-sent event, {@code cause} the same error. A sink that can report more than the event
     * (a Lambda stream's error trailers) overrides this; others just send the event.
     */
    default void error(byte[] event, ProxyException cause) throws IOException {
      event(event);
    }
  }
}
