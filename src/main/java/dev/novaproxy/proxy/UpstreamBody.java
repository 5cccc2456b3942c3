package dev.novaproxy.proxy;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Nova's answer body, taken in by the HTTP client as it reads it: into an {@link EventQueue} for a
 * stream, into a byte array otherwise. The client hands it over as soon as the headers are in, so
 * the proxy bounds the body's arrival itself (the request timeout stops counting at the headers)
 * and can cancel it, which closes the exchange instead of leaving it buffering.
 *
 * <p>Choosing the subscriber when the headers arrive, rather than subscribing to a publisher
 * afterwards, lets the body flow straight from the client's I/O thread to where it is used.
 */
final class UpstreamBody implements HttpResponse.BodySubscriber<UpstreamBody> {
  private final int status;
  private final HttpHeaders headers;
  private final EventQueue events;
  private final HttpResponse.BodySubscriber<byte[]> bytes;
  private final Flow.Subscriber<List<ByteBuffer>> target;
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;

  private UpstreamBody(
      HttpResponse.ResponseInfo info,
      EventQueue events,
      HttpResponse.BodySubscriber<byte[]> bytes) {
    this.status = info.statusCode();
    this.headers = info.headers();
    this.events = events;
    this.bytes = bytes;
    this.target = events != null ? events : bytes;
  }

  /**
   * Event streams (a 200 {@code text/event-stream} when the client asked for a stream) go to an
   * event queue; every other answer is collected whole.
   */
  static Handler handler(boolean clientStreams) {
    return new Handler(clientStreams, body -> {});
  }

  /**
   * As {@link #handler(boolean)}, telling {@code headersIn} (on the HTTP client's thread, so it
   * must not block) as soon as Nova's headers are in and the body is made.
   */
  static Handler handler(boolean clientStreams, Consumer<UpstreamBody> headersIn) {
    return new Handler(clientStreams, headersIn);
  }

  /** Makes the body of one exchange, and remembers it: it may be needed after send fails. */
  static final class Handler implements HttpResponse.BodyHandler<UpstreamBody> {
    private final boolean clientStreams;
    private final Consumer<UpstreamBody> headersIn;
    private volatile UpstreamBody made;

    private Handler(boolean clientStreams, Consumer<UpstreamBody> headersIn) {
      this.clientStreams = clientStreams;
      this.headersIn = headersIn;
    }

    @Override
    public HttpResponse.BodySubscriber<UpstreamBody> apply(HttpResponse.ResponseInfo info) {
      String type = info.headers().firstValue("content-type").orElse("");
      boolean stream = clientStreams && info.statusCode() == 200 && isEventStream(type);
      UpstreamBody body =
          stream
              ? new UpstreamBody(info, new EventQueue(), null)
              : new UpstreamBody(info, null, HttpResponse.BodySubscribers.ofByteArray());
      made = body;
      headersIn.accept(body);
      return body;
    }

    /** The body made once Nova's headers arrived, or null when none came. */
    UpstreamBody made() {
      return made;
    }
  }

  private static boolean isEventStream(String contentType) {
    return contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
  }

  int status() {
    return status;
  }

  /** The first value of a response header, or "" when there is none. */
  String header(String name) {
    return headers.firstValue(name).orElse("");
  }

  /** The event queue of a streamed answer, or null when the answer is collected whole. */
  EventQueue events() {
    return events;
  }

  /**
   * The whole body, waiting at most {@code timeoutMillis} for the rest of it.
   *
   * @throws TimeoutException when it did not all arrive in time; the exchange is then cancelled
   * @throws ExecutionException when the connection broke before the body ended
   */
  byte[] await(long timeoutMillis)
      throws TimeoutException, ExecutionException, InterruptedException {
    CompletableFuture<byte[]> whole = bytes.getBody().toCompletableFuture();
    try {
      return whole.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      cancel();
      throw e;
    }
  }

  /**
   * The whole body once it has all come, with no thread waiting for it; fails with a {@link
   * TimeoutException} (and the exchange is cancelled) when it has not within {@code timeout}, or
   * with why the connection broke.
   */
  CompletableFuture<byte[]> whole(java.time.Duration timeout) {
    return bytes
        .getBody()
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (done, failure) -> {
              if (failure instanceof TimeoutException) {
                cancel();
              }
            });
  }

  /** Stops reading: the HTTP client closes the exchange's connection. */
  void cancel() {
    cancelled = true; // the client may complete the body before it subscribes it: see onSubscribe
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public CompletionStage<UpstreamBody> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    target.onSubscribe(s);
    if (cancelled) {
      s.cancel();
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    target.onNext(item);
  }

  @Override
  public void onError(Throwable t) {
    target.onError(t);
  }

  @Override
  public void onComplete() {
    target.onComplete();
  }
}
