package dev.novaproxy.local;

import dev.novaproxy.proxy.ErrorBodies;
import dev.novaproxy.proxy.ProxyException;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxyRequest;
import dev.novaproxy.proxy.ProxyResponse;
import dev.novaproxy.proxy.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * One HTTP exchange of {@code serve}: admits chats up to the capacity, turns the request into the
 * core's {@link ProxyRequest}, and writes the core's answer, a stream event by event. A chat waits
 * for nothing on a thread: its body is read as it comes, the core's checks run on the pool thread
 * that took the request, Nova's answer is taken up by the pool thread that its headers (or a whole
 * answer's last byte) bring, writes complete by callback, and a stream goes on with no thread of
 * its own (only the key's first fetch, or one after Nova rejected it, is awaited, for at most the
 * fetch timeout). Other requests run on a pool of their own: a model list waits for Nova on its
 * thread.
 */
final class ProxyExchange extends Handler.Abstract {
  private static final byte[] DRAINING =
      ErrorBodies.bytes(
          new ProxyException(
              503,
              "server_error",
              "shutting_down",
              null,
              "The proxy is shutting down; retry shortly."));

  private final ProxyHandler handler;
  private final Capacity capacity;
  private final byte[] overCapacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger chats = new AtomicInteger();
  private final Executor waiting;
  private volatile boolean draining;

  /**
   * @param waiting where requests other than chats run: a model list waits for Nova on its thread
   */
  ProxyExchange(ProxyHandler handler, Capacity capacity, Executor waiting) {
    this.handler = handler;
    this.capacity = capacity;
    this.waiting = waiting;
    this.overCapacity =
        ErrorBodies.bytes(
            new ProxyException(
                503,
                "server_error",
                "over_capacity",
                null,
                "The proxy is answering "
                    + capacity.maxInFlight()
                    + " chats, its capacity (--max-in-flight); retry shortly."));
  }

  void drain() {
    draining = true;
  }

  int inFlight() {
    return inFlight.get();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    inFlight.incrementAndGet();
    Ending ending = new Ending(callback);
    try {
      exchange(request, response, ending);
    } catch (Throwable e) {
      // The client went away or stopped reading: Jetty closes the connection.
      ending.failed(e);
    }
    return true;
  }

  private void exchange(Request request, Response response, Ending ending) throws IOException {
    if (draining) {
      refuse(request, response, DRAINING, ending);
      return;
    }
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    boolean chat = ProxyHandler.isChat(method, path);
    // Counted before the body is read, so that a flood past the capacity costs no more than this.
    if (chat && chats.incrementAndGet() > capacity.maxInFlight()) {
      chats.decrementAndGet();
      refuse(request, response, overCapacity, ending);
      return;
    }
    if (chat) {
      ending.countsAChat();
    }
    BodyReader.read(
        request,
        handler.settings().policy().limits().maxBodyBytes(),
        (body, failure) -> {
          if (failure != null) {
            ending.failed(failure); // the client went away, or sent nothing for too long
          } else if (chat) {
            start(request, response, method, path, body, ending);
          } else {
            // Model lists wait for Nova on their thread: not on one of the few that start requests.
            waiting.execute(() -> start(request, response, method, path, body, ending));
          }
        });
  }

  private void start(
      Request request, Response response, String method, String path, byte[] body, Ending ending) {
    try {
      if (ending.chat && ClientProbe.gone(request, response)) {
        // It left while its request waited for a thread: nobody to answer, so Nova is not asked.
        throw new IOException("the client closed the connection before its chat was sent to Nova");
      }
      answer(request, response, method, path, body, ending);
    } catch (Throwable e) {
      ending.failed(e);
    }
  }

  private void answer(
      Request request, Response response, String method, String path, byte[] body, Ending ending) {
    int limit = handler.settings().policy().limits().maxBodyBytes();
    Map<String, String> headers = new HashMap<>();
    for (HttpField f : request.getHeaders()) {
      headers.merge(f.getName(), f.getValue(), (a, b) -> a + ", " + b);
    }
    // Only a write that makes no progress is the client's fault; silence while Nova thinks is not.
    request.addIdleTimeoutListener(timeout -> false);
    ProxyRequest proxied =
        new ProxyRequest(
            method,
            path,
            headers,
            body,
            request.getHttpURI().getQuery(),
            Request.getRemoteAddr(request));
    // No thread waits for Nova: the answer is written from the thread that takes it up.
    handler
        .handleAsync(proxied, request.getComponents().getExecutor())
        .whenComplete(
            (answer, bug) -> {
              if (bug != null) {
                ending.failed(bug); // handleAsync answers every failure: this is not one of those
                return;
              }
              try {
                if (body.length > limit) {
                  // The rest of an oversized body is still on the wire: do not keep this
                  // connection.
                  answer.header("Connection", "close");
                }
                send(request, response, answer, ending);
              } catch (Throwable e) {
                ending.failed(e);
              }
            });
  }

  /** Writes the answer; the exchange ends when the client has taken it (or the write failed). */
  private static void send(
      Request request, Response response, ProxyResponse answer, Ending ending) {
    response.setStatus(answer.status());
    answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
    if (!answer.streaming()) {
      response.write(true, ByteBuffer.wrap(answer.body()), ending);
      return;
    }
    stream(request, response, answer.stream(), ending);
  }

  /**
   * Sends the status and headers at once, then hands the stream to {@link
   * ProxyResponse.EventStream#relay}: from here on no thread waits for this chat, which is what
   * lets thousands stream at once. Each event is written when the one before has been taken (the
   * back-pressure from the client to Nova); a write that makes no progress for the write timeout
   * fails, and the relay then cancels Nova's stream.
   */
  private static void stream(
      Request request, Response response, ProxyResponse.EventStream stream, Ending ending) {
    Executor finisher = request.getComponents().getExecutor();
    response.write(
        false,
        ByteBuffer.allocate(0),
        Callback.from(
            () ->
                stream
                    .relay(new ClientSink(response), finisher)
                    .whenComplete(
                        (nothing, clientGone) -> {
                          if (clientGone != null) {
                            ending.failed(clientGone);
                          } else {
                            response.write(true, ByteBuffer.allocate(0), ending);
                          }
                        }),
            gone ->
                // The client left before the stream began: a sink that fails at once is how the
                // stream learns to stop reading from Nova (and the limits and log to settle).
                stream
                    .relay((event, written) -> written.accept(gone), finisher)
                    .whenComplete((nothing, failure) -> ending.failed(gone))));
  }

  /** Writes events to the client, each reported taken (or not) by Jetty's callback. */
  private record ClientSink(Response response) implements ProxyResponse.AsyncEventSink {
    @Override
    public void event(byte[] bytes, Consumer<Throwable> written) {
      response.write(
          false,
          ByteBuffer.wrap(bytes),
          Callback.from(
              Invocable.InvocationType.NON_BLOCKING, () -> written.accept(null), written::accept));
    }
  }

  /**
   * How one exchange ends, once: Jetty's callback completed, and the counts of requests (and chats)
   * in flight taken down. Requests end on their thread; streams end on whichever thread wrote last.
   */
  private final class Ending implements Callback {
    private final Callback callback;
    private final AtomicBoolean over = new AtomicBoolean();
    private volatile boolean chat;

    Ending(Callback callback) {
      this.callback = callback;
    }

    void countsAChat() {
      chat = true;
    }

    @Override
    public void succeeded() {
      if (release()) {
        callback.succeeded();
      }
    }

    @Override
    public void failed(Throwable x) {
      if (release()) {
        callback.failed(x);
      }
    }

    private boolean release() {
      if (!over.compareAndSet(false, true)) {
        return false;
      }
      if (chat) {
        chats.decrementAndGet();
      }
      inFlight.decrementAndGet();
      return true;
    }
  }

  /** 503 with Retry-After, before the body is read: the connection closes after it. */
  private static void refuse(Request request, Response response, byte[] body, Callback done) {
    response.setStatus(503);
    response
        .getHeaders()
        .put("x-request-id", RequestIds.from(request.getHeaders().get("x-request-id")));
    response.getHeaders().put("Content-Type", "application/json");
    response.getHeaders().put("Retry-After", "1");
    response.getHeaders().put("Connection", "close");
    response.write(true, ByteBuffer.wrap(body), done);
  }
}
