package dev.novaproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 server on loopback that speaks the Nova (OpenAI Chat Completions) wire format,
 * for tests and benchmarks. It is written on a plain socket so that it can misbehave the way real
 * servers do: answer slowly, reset the connection, stop a stream halfway, send non-JSON.
 *
 * <p>By default a chat request is answered with {@code "echo: <last user message>"}, streamed as
 * server-sent events when the request says {@code "stream": true}. A test scripts the next answers
 * with {@link #enqueue}. Every request is recorded, so a test can assert what reached Nova, or that
 * nothing did.
 */
public final class FakeNova implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request as the upstream received it. Header names are lower case. */
  public record Recorded(String method, String path, Map<String, String> headers, byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** How to answer one chat request. */
  public sealed interface Reply {
    /** The default: an echo of the last user message, streamed if asked. */
    static Reply echo() {
      return new Echo(Duration.ZERO);
    }

    /**
     * {@code then}, once {@code gate} opens: the request is at Nova and stays there until the test
     * lets it go.
     */
    static Reply held(java.util.concurrent.CountDownLatch gate, Reply then) {
      return new Held(gate, then);
    }

    /** Any status and body, with extra headers as name, value pairs. */
    static Reply json(int status, String body, String... headers) {
      return new Raw(status, "application/json", body, headers);
    }

    /** A non-JSON answer (an HTML error page from a load balancer, say). */
    static Reply text(int status, String body) {
      return new Raw(status, "text/html", body, new String[0]);
    }

    /** The answer, after a pause before the first byte. */
    static Reply slow(Duration delay) {
      return new Echo(delay);
    }

    /** Streams these content deltas, waiting {@code gap} between events, then [DONE]. */
    static Reply stream(Duration gap, String... deltas) {
      return new Stream(gap, List.of(deltas), false);
    }

    /** Streams these deltas, then closes the connection with no [DONE] and no last chunk. */
    static Reply truncatedStream(String... deltas) {
      return new Stream(Duration.ZERO, List.of(deltas), true);
    }

    /** Sends the headers and the start of a JSON body, then goes silent for {@code stall}. */
    static Reply stallMidBody(Duration stall) {
      return new StallBody(stall);
    }

    /** Reads the request, then resets the connection without a byte of answer. */
    static Reply reset() {
      return new Reset();
    }

    /**
     * An error whose body quotes the request's {@code Authorization} header (as some gateways and
     * debugging servers do): the key, if the proxy relayed it as is.
     */
    static Reply echoAuthorization(int status) {
      return new EchoAuthorization(status);
    }

    /**
     * Streams these deltas, then an error event quoting the {@code Authorization} header, then ends
     * the stream (no [DONE]).
     */
    static Reply streamThenEchoAuthorization(String... deltas) {
      return new StreamThenEchoAuthorization(List.of(deltas));
    }

    /** Streams these deltas, then goes silent for {@code stall} mid-stream, then closes. */
    static Reply streamThenStall(Duration stall, String... deltas) {
      return new Scripted(List.of(deltas), null, List.of(), Ending.STALL, stall);
    }

    /** Streams these deltas, then resets the connection mid-stream. */
    static Reply streamThenReset(String... deltas) {
      return new Scripted(List.of(deltas), null, List.of(), Ending.RESET, Duration.ZERO);
    }

    /**
     * Streams these deltas, then an OpenAI-shaped 429 error event ({@code rate_limit_exceeded}) and
     * the end of the body, with no [DONE]: a throttle that strikes mid-stream.
     */
    static Reply streamThenRateLimited(String... deltas) {
      return new Scripted(List.of(deltas), null, List.of(), Ending.RATE_LIMITED, Duration.ZERO);
    }

    /**
     * Streams {@code first}, then waits until {@code gate} opens before the rest and [DONE]: a test
     * can look at what arrived while Nova is provably not finished.
     */
    static Reply streamHeld(CountDownLatch gate, String first, String... rest) {
      return new Scripted(List.of(first), gate, List.of(rest), Ending.DONE, Duration.ZERO);
    }
  }

  record Held(java.util.concurrent.CountDownLatch gate, Reply then) implements Reply {}

  /** How a scripted stream ends. */
  enum Ending {
    DONE,
    STALL,
    RESET,
    RATE_LIMITED
  }

  record Scripted(
      List<String> deltas, CountDownLatch gate, List<String> after, Ending ending, Duration stall)
      implements Reply {}

  record Echo(Duration delay) implements Reply {}

  record Raw(int status, String contentType, String body, String[] headers) implements Reply {}

  record Stream(Duration gap, List<String> deltas, boolean truncate) implements Reply {}

  record Reset() implements Reply {}

  record StallBody(Duration stall) implements Reply {}

  record EchoAuthorization(int status) implements Reply {}

  record StreamThenEchoAuthorization(List<String> deltas) implements Reply {}

  private final ServerSocket server;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fake-nova");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  // Notified each time a request is recorded, for awaitChatRequests.
  private final Object arrivals = new Object();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile String validKey;
  private volatile boolean record = true;
  // The default echo stream, spread over this long in this many events (benchmarks); zero: at once.
  private volatile Duration echoStreamLength = Duration.ZERO;
  private volatile int echoStreamEvents;
  // Streams whose client closed the connection before the stream ended: what a proxy's cancel
  // looks like from here (a write fails once the peer has closed and reset the connection).
  private final java.util.concurrent.atomic.AtomicInteger cancelledStreams =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile List<String> models =
      List.of("nova-2-lite-v1", "nova-2-pro-v1", "nova-micro-v1", "nova-lite-v1", "nova-pro-v1");

  private FakeNova(ServerSocket server) {
    this.server = server;
  }

  /** Starts on a free loopback port. */
  public static FakeNova start() {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
      FakeNova nova = new FakeNova(s);
      nova.pool.execute(nova::acceptLoop);
      return nova;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fake Nova", e);
    }
  }

  /** The base URL, like {@code https://api.nova.amazon.com/v1}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1");
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Requires {@code Authorization: Bearer key} on every request; others get Nova's 401. */
  public FakeNova requireKey(String key) {
    this.validKey = key;
    return this;
  }

  /** Stops recording requests (for benchmarks, so memory stays flat). */
  public FakeNova withoutRecording() {
    this.record = false;
    return this;
  }

  /**
   * The default echo, when streamed, comes as {@code events} deltas spread evenly over {@code
   * length}: a long answer, as a model generates it.
   */
  public FakeNova pacedStreams(Duration length, int events) {
    this.echoStreamEvents = events;
    this.echoStreamLength = length;
    return this;
  }

  /** Streams whose client went away before the stream ended (the proxy cancelled them). */
  public int cancelledStreams() {
    return cancelledStreams.get();
  }

  /**
   * Waits until {@code count} streams in all were cancelled by their client.
   *
   * @throws AssertionError when they were not within {@code timeout}
   */
  public void awaitCancelledStreams(int count, Duration timeout) throws InterruptedException {
    await(
        () -> cancelledStreams.get() >= count,
        timeout,
        () -> count + " cancelled streams; the fake Nova saw " + cancelledStreams.get());
  }

  /** Waits, woken by each arrival, until {@code done}; else fails saying what it waited for. */
  private void await(
      java.util.function.BooleanSupplier done,
      Duration timeout,
      java.util.function.Supplier<String> awaited)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (arrivals) {
      while (!done.getAsBoolean()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("waited " + timeout + " for " + awaited.get());
        }
        TimeUnit.NANOSECONDS.timedWait(arrivals, left);
      }
    }
  }

  public FakeNova models(List<String> ids) {
    this.models = List.copyOf(ids);
    return this;
  }

  /** The next chat requests get these answers, in order; after them, the default echo. */
  public FakeNova enqueue(Reply... replies) {
    Collections.addAll(script, replies);
    return this;
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public List<Recorded> chatRequests() {
    return requests.stream().filter(r -> r.path().endsWith("/chat/completions")).toList();
  }

  /**
   * Waits until {@code count} chat requests in all have arrived. A request is recorded before it is
   * answered, so a slow answer is still on its way when this returns: the request is in flight.
   * Needs recording on.
   *
   * @throws AssertionError when they do not arrive within {@code timeout}
   */
  public void awaitChatRequests(int count, Duration timeout) throws InterruptedException {
    await(
        () -> chatRequests().size() >= count,
        timeout,
        () ->
            count
                + " chat requests; the fake Nova has "
                + requests().stream().map(r -> r.method() + " " + r.path()).toList());
  }

  /** Connections from clients open right now. */
  public int openConnections() {
    return open.size();
  }

  public void clear() {
    requests.clear();
    script.clear();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
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
        pool.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        Recorded req = readRequest(in);
        if (req == null) {
          return;
        }
        if (record) {
          requests.add(req);
          synchronized (arrivals) {
            arrivals.notifyAll();
          }
        }
        if (!answer(req, socket, out)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away; nothing to do
    } finally {
      open.remove(socket);
    }
  }

  /** Answers one request; false when the connection must close afterwards. */
  private boolean answer(Recorded req, Socket socket, OutputStream out) throws IOException {
    if (validKey != null && !("Bearer " + validKey).equals(req.headers().get("authorization"))) {
      writeFixed(
          out,
          401,
          "application/json",
          "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"authentication_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
          new String[0]);
      return true;
    }
    if (req.method().equals("GET") && req.path().endsWith("/models")) {
      ObjectNode body = JSON.createObjectNode().put("object", "list");
      ArrayNode data = body.putArray("data");
      for (String m : models) {
        data.addObject().put("id", m).put("object", "model").put("owned_by", "amazon");
      }
      writeFixed(out, 200, "application/json", body.toString(), new String[0]);
      return true;
    }
    if (!(req.method().equals("POST") && req.path().endsWith("/chat/completions"))) {
      writeFixed(
          out,
          404,
          "application/json",
          "{\"error\":{\"message\":\"Not found\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}",
          new String[0]);
      return true;
    }
    Reply reply = script.poll();
    if (reply == null) {
      reply = Reply.echo();
    }
    if (reply instanceof Held held) {
      try {
        held.gate().await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      reply = held.then();
    }
    if (reply instanceof Reset) {
      socket.setSoLinger(true, 0);
      return false;
    }
    if (reply instanceof StallBody stall) {
      out.write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"id\":"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      sleep(stall.stall());
      return false;
    }
    if (reply instanceof Raw raw) {
      writeFixed(out, raw.status(), raw.contentType(), raw.body(), raw.headers());
      return true;
    }
    if (reply instanceof EchoAuthorization echo) {
      writeFixed(
          out,
          echo.status(),
          "application/json",
          authorizationError(req).toString(),
          new String[0]);
      return true;
    }
    JsonNode request = safeJson(req.body());
    String model = request.path("model").asText("nova-2-lite-v1");
    if (reply instanceof StreamThenEchoAuthorization echo) {
      return writeStream(
          out, model, echo.deltas(), Duration.ZERO, false, false, authorizationError(req));
    }
    if (reply instanceof Echo echo) {
      sleep(echo.delay());
      String content = "echo: " + lastUserText(request);
      if (request.path("stream").asBoolean(false)) {
        return answerStreamed(socket, out, request, model, reply);
      }
      writeFixed(
          out, 200, "application/json", completion(model, content).toString(), new String[0]);
      return true;
    }
    return answerStreamed(socket, out, request, model, reply);
  }

  /** Writes a streamed reply, counting it as cancelled when the client leaves before its end. */
  private boolean answerStreamed(
      Socket socket, OutputStream out, JsonNode request, String model, Reply reply)
      throws IOException {
    try {
      return writeStreamed(socket, out, request, model, reply);
    } catch (IOException e) {
      cancelledStreams.incrementAndGet();
      synchronized (arrivals) {
        arrivals.notifyAll();
      }
      throw e;
    }
  }

  private boolean writeStreamed(
      Socket socket, OutputStream out, JsonNode request, String model, Reply reply)
      throws IOException {
    if (reply instanceof Scripted scripted) {
      return writeScripted(socket, out, model, scripted);
    }
    if (reply instanceof Echo) {
      List<String> deltas = words("echo: " + lastUserText(request));
      int events = echoStreamEvents;
      if (events < 1) {
        return writeStream(
            out,
            model,
            deltas,
            Duration.ZERO,
            false,
            request.path("stream_options").path("include_usage").asBoolean(false),
            null);
      }
      List<String> paced = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        paced.add(deltas.get(i % deltas.size()));
      }
      Duration gap = echoStreamLength.dividedBy(Math.max(1, events - 1));
      return writeStream(out, model, paced, gap, false, false, null);
    }
    Stream stream = (Stream) reply;
    return writeStream(out, model, stream.deltas(), stream.gap(), stream.truncate(), false, null);
  }

  /** An OpenAI-shaped error that quotes the request's Authorization header back. */
  private static ObjectNode authorizationError(Recorded req) {
    String authorization = req.headers().getOrDefault("authorization", "");
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("message", "Request not accepted; it carried Authorization: " + authorization);
    error.put("type", "invalid_request_error");
    error.putNull("param");
    error.put("code", "invalid_request");
    error.put("authorization", authorization);
    return body;
  }

  private ObjectNode completion(String model, String content) {
    ObjectNode c = JSON.createObjectNode();
    c.put("id", "chatcmpl-" + ids.incrementAndGet())
        .put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", model);
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", "stop");
    c.putObject("usage")
        .put("prompt_tokens", 10)
        .put("completion_tokens", 5)
        .put("total_tokens", 15);
    return c;
  }

  private boolean writeStream(
      OutputStream out,
      String model,
      List<String> deltas,
      Duration gap,
      boolean truncate,
      boolean usage,
      ObjectNode errorEvent)
      throws IOException {
    String head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String id = "chatcmpl-" + ids.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    for (int i = 0; i < deltas.size(); i++) {
      ObjectNode chunk = JSON.createObjectNode();
      chunk
          .put("id", id)
          .put("object", "chat.completion.chunk")
          .put("created", created)
          .put("model", model);
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode delta = choice.putObject("delta");
      if (i == 0) {
        delta.put("role", "assistant");
      }
      delta.put("content", deltas.get(i));
      choice.putNull("finish_reason");
      writeChunk(out, "data: " + chunk + "\n\n");
      if (!gap.isZero() && i < deltas.size() - 1) {
        sleep(gap);
      }
    }
    if (truncate) {
      // Stop mid-stream: no final chunk, no [DONE], no chunked terminator.
      return false;
    }
    if (errorEvent != null) {
      // An error after the stream began: one error event, then the end, with no [DONE].
      writeChunk(out, "data: " + errorEvent + "\n\n");
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return true;
    }
    ObjectNode last = JSON.createObjectNode();
    last.put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
    ObjectNode choice = last.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.put("finish_reason", "stop");
    writeChunk(out, "data: " + last + "\n\n");
    if (usage) {
      ObjectNode u = JSON.createObjectNode();
      u.put("id", id)
          .put("object", "chat.completion.chunk")
          .put("created", created)
          .put("model", model);
      u.putArray("choices");
      u.putObject("usage")
          .put("prompt_tokens", 10)
          .put("completion_tokens", deltas.size())
          .put("total_tokens", 10 + deltas.size());
      writeChunk(out, "data: " + u + "\n\n");
    }
    writeChunk(out, "data: [DONE]\n\n");
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return true;
  }

  private boolean writeScripted(Socket socket, OutputStream out, String model, Scripted s)
      throws IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String id = "chatcmpl-" + ids.incrementAndGet();
    int index = 0;
    for (String delta : s.deltas()) {
      writeChunk(out, "data: " + deltaChunk(id, model, index++, delta) + "\n\n");
    }
    if (s.gate() != null) {
      try {
        s.gate().await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    for (String delta : s.after()) {
      writeChunk(out, "data: " + deltaChunk(id, model, index++, delta) + "\n\n");
    }
    switch (s.ending()) {
      case DONE -> {
        writeChunk(out, "data: [DONE]\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return true;
      }
      case STALL -> {
        sleep(s.stall());
        return false;
      }
      case RESET -> {
        socket.setSoLinger(true, 0);
        return false;
      }
      case RATE_LIMITED -> {
        writeChunk(
            out,
            "data: {\"error\":{\"message\":\"Too many tokens, please wait before trying again.\","
                + "\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return false;
      }
      default -> throw new IllegalStateException();
    }
  }

  private ObjectNode deltaChunk(String id, String model, int index, String content) {
    ObjectNode chunk = JSON.createObjectNode();
    chunk
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", model);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (index == 0) {
      delta.put("role", "assistant");
    }
    delta.put("content", content);
    choice.putNull("finish_reason");
    return chunk;
  }

  private static void writeChunk(OutputStream out, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void writeFixed(
      OutputStream out, int status, String type, String body, String[] headers) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(status)
            .append(' ')
            .append(reason(status))
            .append("\r\n");
    head.append("Content-Type: ").append(type).append("\r\n");
    head.append("Content-Length: ").append(b.length).append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
  }

  private static Recorded readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    Map<String, String> headers = new TreeMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    byte[] body = new byte[0];
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
        if (size == 0) {
          readLine(in);
          break;
        }
        buf.write(in.readNBytes(size));
        readLine(in);
      }
      body = buf.toByteArray();
    }
    return new Recorded(
        parts[0], parts.length > 1 ? parts[1] : "/", Collections.unmodifiableMap(headers), body);
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

  private static JsonNode safeJson(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static String lastUserText(JsonNode request) {
    JsonNode messages = request.path("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode m = messages.get(i);
      if ("user".equals(m.path("role").asText())) {
        JsonNode content = m.path("content");
        if (content.isTextual()) {
          return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
          sb.append(part.path("text").asText(""));
        }
        return sb.toString();
      }
    }
    return "";
  }

  private static List<String> words(String content) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= content.length(); i++) {
      if (i == content.length() || content.charAt(i) == ' ') {
        out.add(content.substring(start, i));
        start = i;
      }
    }
    return out;
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  /** Runs a fake Nova from the command line, for benchmarks and trying things by hand. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
    FakeNova nova = new FakeNova(s).withoutRecording();
    if (args.length > 2) { // stream-seconds events: long streamed answers (bench/serve-load)
      nova.pacedStreams(Duration.ofSeconds(Long.parseLong(args[1])), Integer.parseInt(args[2]));
    }
    nova.pool.execute(nova::acceptLoop);
    System.out.println("fake Nova on " + nova.baseUrl());
    Thread.currentThread().join();
  }
}
