package dev.novaproxy.local;

import dev.novaproxy.proxy.ErrorBodies;
import dev.novaproxy.proxy.ProxyException;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxyRequest;
import dev.novaproxy.proxy.ProxyResponse;
import dev.novaproxy.proxy.RequestIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP exchange of {@code serve}: admits chats up to the capacity, turns the request into the
 * core's {@link ProxyRequest}, and writes the core's answer, a stream event by event. It runs on a
 * pool thread and blocks there: each write waits until the client has taken it, which is the
 * back-pressure from a slow client to the Nova stream, and fails after the write timeout.
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
  private volatile boolean draining;

  ProxyExchange(ProxyHandler handler, Capacity capacity) {
    this.handler = handler;
    this.capacity = capacity;
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
    try {
      exchange(request, response);
      callback.succeeded();
    } catch (Throwable e) {
      // The client went away or stopped reading: Jetty closes the connection.
      callback.failed(e);
    } finally {
      inFlight.decrementAndGet();
    }
    return true;
  }

  private void exchange(Request request, Response response) throws IOException {
    if (draining) {
      refuse(request, response, DRAINING);
      return;
    }
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    if (!ProxyHandler.isChat(method, path)) {
      answer(request, response, method, path);
      return;
    }
    // Counted before the body is read, so that a flood past the capacity costs no more than this.
    if (chats.incrementAndGet() > capacity.maxInFlight()) {
      chats.decrementAndGet();
      refuse(request, response, overCapacity);
      return;
    }
    try {
      answer(request, response, method, path);
    } finally {
      chats.decrementAndGet();
    }
  }

  private void answer(Request request, Response response, String method, String path)
      throws IOException {
    int limit = handler.settings().policy().limits().maxBodyBytes();
    byte[] body = readBody(Request.asInputStream(request), limit);
    if (ProxyHandler.isChat(method, path) && ClientProbe.gone(request, response)) {
      // It left while its request waited for a thread: nobody to answer, so Nova is not asked.
      throw new IOException("the client closed the connection before its chat was sent to Nova");
    }
    Map<String, String> headers = new HashMap<>();
    for (HttpField f : request.getHeaders()) {
      headers.merge(f.getName(), f.getValue(), (a, b) -> a + ", " + b);
    }
    // Only a write that makes no progress is the client's fault; silence while Nova thinks is not.
    request.addIdleTimeoutListener(timeout -> false);
    ProxyResponse answer =
        handler.handle(
            new ProxyRequest(
                method,
                path,
                headers,
                body,
                request.getHttpURI().getQuery(),
                Request.getRemoteAddr(request)));
    if (body.length > limit) {
      // The rest of an oversized body is still on the wire: do not keep this connection.
      answer.header("Connection", "close");
    }
    send(response, answer);
  }

  /** Reads the body, but never more than one byte past the limit: the handler answers 413. */
  private static byte[] readBody(InputStream in, int limit) throws IOException {
    return in.readNBytes(limit + 1);
  }

  /** 503 with Retry-After, before the body is read: the connection closes after it. */
  private static void refuse(Request request, Response response, byte[] body) throws IOException {
    response.setStatus(503);
    response
        .getHeaders()
        .put("x-request-id", RequestIds.from(request.getHeaders().get("x-request-id")));
    response.getHeaders().put("Content-Type", "application/json");
    response.getHeaders().put("Retry-After", "1");
    response.getHeaders().put("Connection", "close");
    write(response, true, ByteBuffer.wrap(body));
  }

  private static void send(Response response, ProxyResponse answer) throws IOException {
    response.setStatus(answer.status());
    answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
    if (!answer.streaming()) {
      write(response, true, ByteBuffer.wrap(answer.body()));
      return;
    }
    try {
      write(response, false, ByteBuffer.allocate(0)); // the status and headers, at once
    } catch (IOException gone) {
      // The client left before the stream began: run the stream into a sink that fails at once,
      // which is how a stream learns to stop reading from Nova.
      answer.stream()
          .writeTo(
              event -> {
                throw gone;
              });
      throw gone;
    }
    answer.stream().writeTo(event -> write(response, false, ByteBuffer.wrap(event)));
    write(response, true, ByteBuffer.allocate(0));
  }

  /** Writes and waits until the client has taken it; fails after the write timeout. */
  private static void write(Response response, boolean last, ByteBuffer bytes) throws IOException {
    try (Blocker.Callback written = Blocker.callback()) {
      response.write(last, bytes, written);
      written.block();
    }
  }
}
