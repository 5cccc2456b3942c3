package dev.novaproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback stand-in for the AWS Lambda Runtime API, for testing novaproxy's runtime loop. Written
 * from AWS's documentation of the protocol, not from the loop's code:
 *
 * <ul>
 *   <li>https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html: {@code GET
 *       /2018-06-01/runtime/invocation/next} answers one event with {@code
 *       Lambda-Runtime-Aws-Request-Id}, {@code Lambda-Runtime-Deadline-Ms}, {@code
 *       Lambda-Runtime-Invoked-Function-Arn} and {@code Lambda-Runtime-Trace-Id}, and blocks while
 *       there is none; {@code POST …/invocation/{id}/response} answers 202 (400 for an unknown id,
 *       413 for a buffered payload over 6,291,556 bytes); {@code POST …/invocation/{id}/error} and
 *       {@code …/init/error} take {@code Lambda-Runtime-Function-Error-Type} and a JSON body.
 *   <li>https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming:
 *       a streamed response says {@code Lambda-Runtime-Function-Response-Mode: streaming}, is sent
 *       with chunked encoding, declares its error trailers ({@code
 *       Lambda-Runtime-Function-Error-Type}, {@code Lambda-Runtime-Function-Error-Body}) in {@code
 *       Trailer}, and its connection closes after the body.
 *   <li>https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-custom.html: {@code
 *       GET /2018-06-01/runtime/restore/next} blocks while the snapshot is taken and answers 200
 *       after a restore; {@code POST /runtime/restore/error} reports a failure after it.
 *   <li>https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html: the HTTP
 *       integration prelude of a function URL's stream (JSON, 8 NUL bytes, body).
 * </ul>
 *
 * <p>Plain sockets, because the JDK's HttpServer decodes a chunked request body but drops its
 * trailers and cannot say when each chunk arrived, and those are what a streamed response is about.
 * Every chunk is recorded with the {@link System#nanoTime()} of its arrival.
 */
public final class FakeRuntimeApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BUFFERED_PAYLOAD = 6_291_556;
  private static final String BASE = "/2018-06-01/runtime";

  /** One chunk of a streamed response and when it arrived. */
  public record Chunk(long nanos, byte[] bytes) {
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** A response as the stand-in received it. Header and trailer names are lower case. */
  public record Response(
      String requestId,
      Map<String, String> headers,
      byte[] body,
      List<Chunk> chunks,
      Map<String, String> trailers,
      long endNanos) {
    public boolean streamed() {
      return "streaming".equalsIgnoreCase(headers.get("lambda-runtime-function-response-mode"));
    }

    /** Where the prelude ends (the index after the 8 NUL bytes), or -1 when there is none. */
    private int bodyStart() {
      outer:
      for (int i = 0; i + 8 <= body.length; i++) {
        for (int j = 0; j < 8; j++) {
          if (body[i + j] != 0) {
            continue outer;
          }
        }
        return i + 8;
      }
      return -1;
    }

    /** The HTTP integration prelude's JSON (a function URL's status, headers and cookies). */
    public JsonNode prelude() {
      int start = bodyStart();
      if (start < 0) {
        throw new AssertionError("no 8-NUL prelude delimiter in: " + new String(body));
      }
      return FakeRuntimeApi.parse(Arrays.copyOfRange(body, 0, start - 8));
    }

    public int status() {
      return prelude().path("statusCode").asInt();
    }

    /** The HTTP body the client receives: after the prelude when there is one. */
    public String bodyText() {
      int start = streamed() ? bodyStart() : 0;
      return new String(body, Math.max(0, start), body.length - Math.max(0, start));
    }

    /** A buffered response's JSON. */
    public JsonNode json() {
      return FakeRuntimeApi.parse(body);
    }

    public String errorType() {
      return trailers.get("lambda-runtime-function-error-type");
    }

    /** The decoded {@code Lambda-Runtime-Function-Error-Body} trailer, or null. */
    public JsonNode errorBody() {
      String b = trailers.get("lambda-runtime-function-error-body");
      return b == null ? null : FakeRuntimeApi.parse(Base64.getDecoder().decode(b));
    }
  }

  /**
   * An error report: {@code /invocation/{id}/error}, {@code /init/error}, {@code /restore/error}.
   */
  public record Report(String path, Map<String, String> headers, JsonNode body) {
    public String errorType() {
      return headers.get("lambda-runtime-function-error-type");
    }
  }

  private record Event(String id, byte[] json, long deadlineMillis) {}

  private final ServerSocket server;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fake-runtime-api");
            t.setDaemon(true);
            return t;
          });
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<Response>> responses = new ConcurrentHashMap<>();
  private final Map<String, List<Chunk>> inFlight = new ConcurrentHashMap<>();
  private final List<Report> reports = new CopyOnWriteArrayList<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final CountDownLatch restoreAsked = new CountDownLatch(1);
  private final CountDownLatch restored = new CountDownLatch(1);
  private final AtomicInteger connections = new AtomicInteger();
  private final Object changed = new Object(); // notified when a chunk or a report arrives
  private volatile boolean closed;

  private FakeRuntimeApi(ServerSocket server) {
    this.server = server;
  }

  public static FakeRuntimeApi start() {
    try {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      FakeRuntimeApi api = new FakeRuntimeApi(s);
      api.pool.execute(api::acceptLoop);
      return api;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fake Runtime API", e);
    }
  }

  /** What {@code AWS_LAMBDA_RUNTIME_API} holds: host:port. */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Queues an event for {@code /next}, due within {@code deadline}; returns its request id. */
  public String enqueue(String eventJson, Duration deadline) {
    String id = UUID.randomUUID().toString();
    responses.put(id, new CompletableFuture<>());
    events.add(
        new Event(
            id,
            eventJson.getBytes(StandardCharsets.UTF_8),
            System.currentTimeMillis() + deadline.toMillis()));
    return id;
  }

  /** The response to an event, waiting up to {@code timeout} for it to be complete. */
  public Response awaitResponse(String requestId, Duration timeout) {
    try {
      return responses.get(requestId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "no complete response to " + requestId + " within " + timeout + "; calls: " + calls);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public boolean responded(String requestId) {
    return responses.get(requestId).isDone();
  }

  /** Waits until a chunk of the (still streaming, or finished) response matches, and returns it. */
  public Chunk awaitChunk(String requestId, Predicate<String> matches, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (true) {
        for (Chunk c : chunksSoFar(requestId)) {
          if (matches.test(c.text())) {
            return c;
          }
        }
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new AssertionError("no matching chunk for " + requestId + " within " + timeout);
        }
        changed.wait(left);
      }
    }
  }

  /** The error reports, in order. */
  public List<Report> reports() {
    return List.copyOf(reports);
  }

  public Report awaitReport(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (reports.isEmpty()) {
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new AssertionError("no error report within " + timeout + "; calls: " + calls);
        }
        changed.wait(left);
      }
    }
    return reports.get(0);
  }

  /** Every call, "METHOD path", in the order received. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Waits until the runtime calls {@code /restore/next} (SnapStart: the snapshot is taken). */
  public boolean awaitRestoreNext(Duration timeout) throws InterruptedException {
    return restoreAsked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets {@code /restore/next} answer: the environment has been restored from the snapshot. */
  public void restore() {
    restored.countDown();
  }

  /** Connections from the runtime open right now. */
  public int openConnections() {
    return connections.get();
  }

  @Override
  public void close() {
    // Stop accepting first: a runtime whose connection closes tries a new one, which must fail.
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    closed = true;
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    pool.shutdownNow();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        open.add(s);
        connections.incrementAndGet();
        try {
          pool.execute(() -> serve(s));
        } catch (RejectedExecutionException e) {
          open.remove(s);
          connections.decrementAndGet();
          s.close(); // accepted just as the stand-in closed
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        String[] parts = requestLine.split(" ");
        String method = parts[0];
        String path = parts.length > 1 ? parts[1] : "/";
        calls.add(method + " " + path);
        Map<String, String> headers = readHeaders(in);
        if (!answer(method, path, headers, in, out)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the runtime went away, or the stand-in is closing
    } finally {
      open.remove(socket);
      connections.decrementAndGet();
    }
  }

  /** Answers one request; false when the connection must close afterwards. */
  private boolean answer(
      String method, String path, Map<String, String> headers, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    if (method.equals("GET") && path.equals(BASE + "/invocation/next")) {
      Event e = null;
      while (e == null) {
        if (closed) {
          return false;
        }
        e = events.poll(50, TimeUnit.MILLISECONDS);
      }
      write(
          out,
          200,
          e.json(),
          "Content-Type",
          "application/json",
          "Lambda-Runtime-Aws-Request-Id",
          e.id(),
          "Lambda-Runtime-Deadline-Ms",
          Long.toString(e.deadlineMillis()),
          "Lambda-Runtime-Invoked-Function-Arn",
          "arn:aws:lambda:us-east-1:123456789012:function:novaproxy-proxy:live",
          "Lambda-Runtime-Trace-Id",
          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0");
      return true;
    }
    if (method.equals("GET") && path.equals(BASE + "/restore/next")) {
      restoreAsked.countDown();
      restored.await();
      write(out, 200, new byte[0]);
      return true;
    }
    if (method.equals("POST") && path.startsWith(BASE + "/invocation/")) {
      String rest = path.substring((BASE + "/invocation/").length());
      int slash = rest.indexOf('/');
      String id = slash < 0 ? rest : rest.substring(0, slash);
      String what = slash < 0 ? "" : rest.substring(slash + 1);
      CompletableFuture<Response> pending = responses.get(id);
      if (what.equals("response")) {
        return response(id, pending, headers, in, out);
      }
      if (what.equals("error")) {
        byte[] body = readBody(headers, in, null);
        reports.add(new Report(path, headers, parse(body)));
        signal();
        write(out, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
        if (pending != null) {
          pending.complete(new Response(id, headers, body, List.of(), Map.of(), System.nanoTime()));
        }
        return true;
      }
    }
    if (method.equals("POST")
        && (path.equals(BASE + "/init/error") || path.equals(BASE + "/restore/error"))) {
      byte[] body = readBody(headers, in, null);
      reports.add(new Report(path, headers, parse(body)));
      signal();
      write(out, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
      return true;
    }
    readBody(headers, in, null);
    write(
        out,
        404,
        "{\"errorMessage\":\"not a Runtime API path\",\"errorType\":\"NotFound\"}"
            .getBytes(StandardCharsets.UTF_8));
    return true;
  }

  private boolean response(
      String id,
      CompletableFuture<Response> pending,
      Map<String, String> headers,
      InputStream in,
      OutputStream out)
      throws IOException {
    List<Chunk> chunks = new CopyOnWriteArrayList<>();
    inFlight.put(id, chunks);
    Map<String, String> trailers = new TreeMap<>();
    byte[] body = readBody(headers, in, new Streamed(chunks, trailers));
    long end = System.nanoTime();
    boolean streamed =
        "streaming".equalsIgnoreCase(headers.get("lambda-runtime-function-response-mode"));
    if (pending == null) {
      write(
          out,
          400,
          "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}"
              .getBytes(StandardCharsets.UTF_8));
      return !streamed;
    }
    if (!streamed && body.length > MAX_BUFFERED_PAYLOAD) {
      write(
          out,
          413,
          ("{\"errorMessage\":\"Exceeded maximum allowed payload size ("
                  + MAX_BUFFERED_PAYLOAD
                  + " bytes).\",\"errorType\":\"RequestEntityTooLarge\"}")
              .getBytes(StandardCharsets.UTF_8));
      pending.completeExceptionally(new AssertionError("payload over 6 MB: " + body.length));
      return true;
    }
    write(out, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    pending.complete(
        new Response(
            id,
            Collections.unmodifiableMap(headers),
            body,
            List.copyOf(chunks),
            Collections.unmodifiableMap(trailers),
            end));
    return !streamed; // the runtime closes a streamed response's connection
  }

  /** Where a chunked body's chunks and trailers go. */
  private record Streamed(List<Chunk> chunks, Map<String, String> trailers) {}

  private void signal() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  private byte[] readBody(Map<String, String> headers, InputStream in, Streamed streamed)
      throws IOException {
    if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in);
        if (sizeLine == null) {
          throw new EOFException("chunked body cut short");
        }
        int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
        if (size == 0) {
          Map<String, String> trailers = readHeaders(in);
          if (streamed != null) {
            streamed.trailers().putAll(trailers);
          }
          return body.toByteArray();
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          throw new EOFException("chunk cut short");
        }
        readLine(in);
        if (streamed != null) {
          streamed.chunks().add(new Chunk(System.nanoTime(), chunk));
          signal();
        }
        body.write(chunk);
      }
    }
    String length = headers.get("content-length");
    return length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length.trim()));
  }

  private static void write(OutputStream out, int status, byte[] body, String... headers)
      throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ');
    head.append(
        switch (status) {
          case 200 -> "OK";
          case 202 -> "Accepted";
          case 400 -> "Bad Request";
          case 404 -> "Not Found";
          case 413 -> "Request Entity Too Large";
          default -> "Status";
        });
    head.append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    try {
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    } catch (SocketException e) {
      // the runtime closed first; what it sent is recorded
    }
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    if (c == -1 && line.size() == 0) {
      return null;
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
    }
  }

  /** The chunks of a response received so far, for a test that watches a stream as it goes. */
  public List<Chunk> chunksSoFar(String requestId) {
    List<Chunk> c = inFlight.get(requestId);
    return c == null ? List.of() : new ArrayList<>(c);
  }
}
