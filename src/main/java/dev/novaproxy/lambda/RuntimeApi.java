package dev.novaproxy.lambda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client for the Lambda Runtime API
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html and, for SnapStart,
 * …/snapstart-runtime-hooks-custom.html), the calls of AWS's Node.js runtime interface client
 * (aws/aws-lambda-nodejs-runtime-interface-client, src/RAPIDClient.js): one kept- alive connection
 * for the calls that are not streamed, like its agent with {@code keepAlive: true, maxSockets: 1};
 * a connection of its own for each streamed response ({@link StreamedResponse}).
 *
 * <p>No read timeout anywhere: {@code /next} blocks for as long as the function is idle (and, under
 * SnapStart, {@code /restore/next} across the snapshot), and the Runtime API is on loopback.
 */
final class RuntimeApi implements Closeable {
  static final String ENV_RUNTIME_API = "AWS_LAMBDA_RUNTIME_API";
  private static final String BASE = "/2018-06-01/runtime";
  private static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";

  private final String host;
  private final InetSocketAddress address;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RuntimeApi(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          ENV_RUNTIME_API + " must be host:port, not '" + hostAndPort + "'");
    }
    this.host = hostAndPort;
    this.address =
        new InetSocketAddress(
            hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
  }

  static String invocationPath(String requestId, String what) {
    return BASE + "/invocation/" + RuntimeHttp.pathSegment(requestId) + "/" + what;
  }

  /** Waits for the next event: {@code GET /runtime/invocation/next}. */
  Invocation next() throws IOException {
    RuntimeHttp.Reply reply = call("GET", BASE + "/invocation/next", Map.of(), null);
    if (reply.status() != 200) {
      throw unexpected("invocation/next", reply);
    }
    return Invocation.from(reply);
  }

  /** A whole (buffered) response: {@code POST /runtime/invocation/{id}/response}. */
  void respond(String requestId, byte[] json) throws IOException {
    RuntimeHttp.Reply reply =
        call(
            "POST",
            invocationPath(requestId, "response"),
            Map.of("Content-Type", "application/json"),
            json);
    if (reply.status() != 202) {
      throw unexpected("invocation response", reply);
    }
  }

  /** Fails an invocation before any of its response was sent. */
  void invocationError(String requestId, RuntimeError error) throws IOException {
    postError(invocationPath(requestId, "error"), error);
  }

  /** Fails the initialisation (and, under SnapStart, the version's publication). */
  void initError(RuntimeError error) throws IOException {
    postError(BASE + "/init/error", error);
  }

  /**
   * SnapStart: blocks while Lambda takes the snapshot; answers once this environment has been
   * restored from it. Afterwards the connection is not used again: it was open across a snapshot.
   */
  void restoreNext() throws IOException {
    RuntimeHttp.Reply reply = call("GET", BASE + "/restore/next", Map.of(), null);
    disconnect();
    if (reply.status() != 200) {
      throw unexpected("restore/next", reply);
    }
  }

  void restoreError(RuntimeError error) throws IOException {
    postError(BASE + "/restore/error", error);
  }

  /** Starts the streamed response of an invocation, on a connection of its own. */
  StreamedResponse stream(String requestId, String contentType) throws IOException {
    return StreamedResponse.open(address, host, requestId, contentType);
  }

  private void postError(String path, RuntimeError error) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put(ERROR_TYPE, error.headerType());
    RuntimeHttp.Reply reply = call("POST", path, headers, error.json());
    if (reply.status() != 202) {
      throw unexpected(path, reply);
    }
  }

  private RuntimeHttp.Reply call(
      String method, String path, Map<String, String> headers, byte[] body) throws IOException {
    boolean reused = socket != null;
    try {
      return exchange(method, path, headers, body);
    } catch (IOException e) {
      disconnect();
      // A kept-alive connection the other side closed shows up only when used. A GET changes
      // nothing, so it is sent again once on a new connection; a POST is not.
      if (reused && method.equals("GET")) {
        return exchange(method, path, headers, body);
      }
      throw e;
    }
  }

  private RuntimeHttp.Reply exchange(
      String method, String path, Map<String, String> headers, byte[] body) throws IOException {
    connect();
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (body != null) {
      all.put("Content-Length", Integer.toString(body.length));
    }
    RuntimeHttp.writeRequest(out, method, path, host, all);
    if (body != null) {
      out.write(body);
    }
    out.flush();
    RuntimeHttp.Reply reply = RuntimeHttp.read(in);
    if (reply.closes()) {
      disconnect();
    }
    return reply;
  }

  private void connect() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(address);
      in = new BufferedInputStream(s.getInputStream());
      out = new BufferedOutputStream(s.getOutputStream());
      socket = s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
      in = null;
      out = null;
    }
  }

  private static IOException unexpected(String what, RuntimeHttp.Reply reply) {
    String body = reply.bodyText();
    return new IOException(
        "The Runtime API answered "
            + what
            + " with "
            + reply.status()
            + (body.isBlank() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) : body)));
  }

  @Override
  public void close() {
    disconnect();
  }
}
