package dev.novaproxy.local;

import dev.novaproxy.proxy.ProxyHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code novaproxy serve}: the proxy core behind Jetty on this machine. Streams are relayed event
 * by event; chats past the {@link Capacity} get 503 at once; a client that stops reading is dropped
 * after the write timeout; {@link #shutdown} lets requests in flight finish first.
 *
 * <p>Jetty rather than the JDK's server: the JDK's cannot time out a blocked write (a client that
 * never reads held a thread for ever), nor close a connection from outside, and it queued requests
 * past its threads without bound. No thread waits for Nova or for a client ({@link ProxyExchange}).
 *
 * <p>Two pools. A small one starts every request (parse, read the body, check, send to Nova) and
 * never waits on anything: a burst of thousands of chats then runs on a few threads instead of
 * hundreds, which left the {@code HttpClient}'s I/O threads, the compiler and the load's own client
 * each one share of two cores among 800 (docs/benchmarks.md, "Threads, the compiler and the
 * 5,000-stream burst"). Nothing a chat does waits on a thread (a whole answer's body and a short
 * Retry-After included); requests other than chats run on a second pool, since a model list waits
 * for Nova on its thread.
 */
public final class LocalProxyServer implements AutoCloseable {
  /**
   * Threads that start requests, Jetty's acceptor and selector among them. With 32, bursts of 2,000
   * and 5,000 streams took less CPU and less memory than with a thread for each, and the 5,000 no
   * 504s (docs/benchmarks.md).
   */
  public static final int FRONT_THREADS = 32;

  /**
   * Threads of the second pool beyond the capacity's: for health checks and model lists (which wait
   * for Nova on their thread); also what {@link #threadEach} adds to the capacity.
   */
  static final int SPARE_THREADS = 64;

  private final Server server;
  private final ServerConnector connector;
  private final ProxyExchange exchange;

  private LocalProxyServer(Server server, ServerConnector connector, ProxyExchange exchange) {
    this.server = server;
    this.connector = connector;
    this.exchange = exchange;
  }

  /** With the default capacity. */
  public static LocalProxyServer start(ProxyHandler handler, String host, int port)
      throws IOException {
    return start(handler, host, port, Capacity.DEFAULT);
  }

  /**
   * Starts listening. Port 0 picks a free port.
   *
   * @throws IOException when the address cannot be bound (the port is taken, say)
   */
  public static LocalProxyServer start(
      ProxyHandler handler, String host, int port, Capacity capacity) throws IOException {
    return start(handler, host, port, capacity, FRONT_THREADS);
  }

  /**
   * As above with this many threads to start requests: {@link #FRONT_THREADS}, or {@link
   * #threadEach} when checking a chat waits on the network (a DynamoDB keys table), since these
   * threads must not wait. Tests take few, to make requests queue.
   */
  public static LocalProxyServer start(
      ProxyHandler handler, String host, int port, Capacity capacity, int frontThreads)
      throws IOException {
    QueuedThreadPool pool = new QueuedThreadPool(frontThreads, Math.min(8, frontThreads), 30_000);
    pool.setName("novaproxy");
    pool.setDaemon(true);
    // No reserved threads: Jetty's selector would hand its selecting to one and run the request
    // itself, a hand-off per request. Without, requests queue for the pool: in bursts of 2,000
    // streams, p99 better in eight pairs of eight and less CPU in seven (docs/benchmarks.md). And
    // a reserved thread runs only work handed to it, never a queued request, so in a pool of a few
    // threads (tests) it left an uncertain number taking requests.
    pool.setReservedThreads(0);
    QueuedThreadPool waiting =
        new QueuedThreadPool(capacity.maxInFlight() + SPARE_THREADS, 2, 30_000);
    waiting.setName("novaproxy-wait");
    waiting.setDaemon(true);
    waiting.setReservedThreads(0);
    Server server = new Server(pool);
    server.addBean(waiting); // started and stopped with the server
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Big enough that the core's own rules answer an oversized credential with their clear 4xx
    // (the buffer is taken only while a request's headers are parsed).
    http.setRequestHeaderSize(128 * 1024);
    // One acceptor and one selector: the I/O of thousands of connections is light next to the
    // work of the requests, and this machine class has two cores.
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(InetAddress.getByName(host).getHostAddress());
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    // Jetty fails a blocked write once the connection has made no progress for this long: the
    // write timeout. (ProxyExchange keeps it from ending a stream that only waits for Nova.)
    connector.setIdleTimeout(capacity.writeTimeout().toMillis());
    server.addConnector(connector);
    ProxyExchange exchange = new ProxyExchange(handler, capacity, waiting);
    server.setHandler(exchange);
    server.setErrorHandler(new JsonErrors());
    server.setStopTimeout(0);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      // Jetty wraps the bind failure ("Failed to bind to ..."): serve explains the port itself.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException bind) {
          throw bind;
        }
      }
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
    return new LocalProxyServer(server, connector, exchange);
  }

  /** Threads enough to start every chat the capacity admits at once, each on its own. */
  public static int threadEach(Capacity capacity) {
    return capacity.maxInFlight() + SPARE_THREADS;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8080}. */
  public URI baseUrl() {
    String host = connector.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  /**
   * Answers every new request with 503, lets requests in flight finish (up to {@code grace}), then
   * stops.
   */
  public void shutdown(Duration grace) {
    exchange.drain();
    long end = System.nanoTime() + grace.toNanos();
    while (exchange.inFlight() > 0 && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopQuietly(server);
  }

  /** Requests being answered right now (chats and others). */
  public int inFlight() {
    return exchange.inFlight();
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping anyway: what is left are daemon threads
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
