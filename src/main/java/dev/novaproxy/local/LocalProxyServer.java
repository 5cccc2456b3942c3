package dev.novaproxy.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxyRequest;
import dev.novaproxy.proxy.ProxyResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code novaproxy serve}: the proxy core behind the JDK's HTTP server on this machine. Streams are
 * relayed event by event, and {@link #close} lets requests in flight finish first.
 */
public final class LocalProxyServer implements AutoCloseable {
  static {
    // Without TCP_NODELAY small responses wait on Nagle's algorithm and the peer's delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final byte[] DRAINING =
      "{\"error\":{\"message\":\"The proxy is shutting down; retry shortly.\",\"type\":\"server_error\",\"code\":\"shutting_down\",\"param\":null}}"
          .getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ProxyHandler handler;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  private LocalProxyServer(HttpServer server, ThreadPoolExecutor workers, ProxyHandler handler) {
    this.server = server;
    this.workers = workers;
    this.handler = handler;
  }

  /**
   * Starts listening. Port 0 picks a free port.
   *
   * @throws IOException when the address cannot be bound (the port is taken, say)
   */
  public static LocalProxyServer start(ProxyHandler handler, String host, int port)
      throws IOException {
    // A client that sends its headers and then stalls must not hold a worker for ever: the JDK
    // server drops a request not answered within maxReqTime (read once, at the first server).
    // It counts until the response starts, so it sits well above the upstream timeout.
    long seconds = handler.settings().totalTimeout().toSeconds() + 30;
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(60, seconds)));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
    AtomicInteger n = new AtomicInteger();
    // One thread per request in flight (a stream holds its thread); idle threads go away.
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            256,
            256,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "novaproxy-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    workers.allowCoreThreadTimeOut(true);
    LocalProxyServer local = new LocalProxyServer(server, workers, handler);
    server.createContext("/", local::exchange);
    server.setExecutor(workers);
    server.start();
    return local;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8080}. */
  public URI baseUrl() {
    String host = server.getAddress().getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  private void exchange(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    try (ex) {
      if (draining) {
        send(ex, ProxyResponse.json(503, DRAINING).header("Retry-After", "1"));
        return;
      }
      int limit = handler.settings().policy().limits().maxBodyBytes();
      byte[] body = readBody(ex.getRequestBody(), limit);
      Map<String, String> headers = new HashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(", ", v)));
      String path = ex.getRequestURI().getRawPath();
      String sourceIp = ex.getRemoteAddress().getAddress().getHostAddress();
      ProxyResponse response =
          handler.handle(
              new ProxyRequest(
                  ex.getRequestMethod(),
                  path,
                  headers,
                  body,
                  ex.getRequestURI().getRawQuery(),
                  sourceIp));
      if (body.length > limit) {
        // The rest of an oversized body is still on the wire: do not keep this connection.
        response.header("Connection", "close");
      }
      send(ex, response);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Reads the body, but never more than one byte past the limit: the handler answers 413. */
  private static byte[] readBody(InputStream in, int limit) throws IOException {
    return in.readNBytes(limit + 1);
  }

  private static void send(HttpExchange ex, ProxyResponse response) throws IOException {
    response.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
    if (response.streaming()) {
      try {
        ex.sendResponseHeaders(response.status(), 0); // chunked
      } catch (IOException gone) {
        // The client left before the stream began: run the stream into a sink that fails at
        // once, which is how a stream learns to stop reading from Nova.
        response.stream()
            .writeTo(
                event -> {
                  throw gone;
                });
        throw gone;
      }
      OutputStream out = ex.getResponseBody();
      response.stream()
          .writeTo(
              event -> {
                out.write(event);
                out.flush();
              });
      return;
    }
    byte[] body = response.body();
    if (head || body.length == 0) {
      ex.sendResponseHeaders(response.status(), -1);
      return;
    }
    ex.sendResponseHeaders(response.status(), body.length);
    ex.getResponseBody().write(body);
  }

  /** Stops accepting, lets requests in flight finish (up to {@code grace}), then stops. */
  public void shutdown(Duration grace) {
    draining = true;
    long end = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.stop(0);
    workers.shutdownNow();
  }

  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
