package dev.novaproxy.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

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

  /**
   * Server-sent events produced while the response is being written, in one of two ways: into a
   * sink that blocks until the client has taken each event (Lambda, one request per thread), or
   * into one that calls back (serve, where thousands of streams share a few threads).
   */
  public interface EventStream {
    /**
     * Writes every event to the sink, in order, returning when the stream has ended. A broken
     * upstream ends with an error event rather than an exception; an exception here means the
     * client went away.
     */
    void writeTo(EventSink sink) throws IOException;

    /**
     * As {@link #writeTo} with no thread waiting: each event goes to the sink once the client has
     * taken the one before, from whichever thread brought it. The stage completes on {@code
     * finisher} (where blocking work may run) once the last event was taken, or exceptionally with
     * why the client is gone.
     */
    CompletionStage<Void> relay(AsyncEventSink sink, Executor finisher);

    /**
     * This stream, calling {@code ended} once it has ended either way: with null, or with why the
     * client went away (what {@link #writeTo} threw, or what {@link #relay}'s stage failed with).
     */
    default EventStream whenEnded(Consumer<Throwable> ended) {
      EventStream inner = this;
      return new EventStream() {
        @Override
        public void writeTo(EventSink sink) throws IOException {
          try {
            inner.writeTo(sink);
          } catch (IOException | RuntimeException e) {
            ended.accept(e);
            throw e;
          }
          ended.accept(null);
        }

        @Override
        public CompletionStage<Void> relay(AsyncEventSink sink, Executor finisher) {
          return inner
              .relay(sink, finisher)
              .whenComplete(
                  (nothing, failure) ->
                      ended.accept(
                          failure instanceof CompletionException c && c.getCause() != null
                              ? c.getCause()
                              : failure));
        }
      };
    }
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

  /**
   * Where a stream's events go when no thread waits for the client: each call is one complete
   * event, and must not block (it runs on the HTTP client's I/O thread).
   */
  @FunctionalInterface
  public interface AsyncEventSink {
    /**
     * Sends one event, then calls {@code written} once the client has taken it: with null, or with
     * why it could not (the client went away, or stopped reading for the write timeout).
     */
    void event(byte[] bytes, Consumer<Throwable> written);

    /** The last event of a stream that broke after it began, as {@link EventSink#error}. */
    default void error(byte[] event, ProxyException cause, Consumer<Throwable> written) {
      event(event, written);
    }
  }
}
