package dev.novaproxy.lambda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One invocation's response streamed to the Runtime API: {@code POST
 * /2018-06-01/runtime/invocation/{id}/response} with {@code Lambda-Runtime-Function-Response-Mode:
 * streaming}, a chunked body flushed chunk by chunk, and, when the stream breaks after it began,
 * the error in the trailers the request declared up front. Its own connection, closed when the body
 * has been answered (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html, "Response
 * streaming").
 *
 * <p>Follows AWS's Node.js runtime interface client
 * (aws/aws-lambda-nodejs-runtime-interface-client): src/ResponseStream.js sends the same headers
 * and, on failure, adds the two trailers and ends the request; src/RAPIDClient.js
 * getStreamForInvocationResponse is the call. The head goes out with the first chunk, as Node's
 * http module does.
 */
final class StreamedResponse implements Closeable {
  static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
  static final String ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
  private static final byte[] CRLF = {'\r', '\n'};

  private final Socket socket;
  private final OutputStream out;
  private long bodyBytes;
  private boolean ended;

  private StreamedResponse(Socket socket, OutputStream out) {
    this.socket = socket;
    this.out = out;
  }

  /** Connects and queues the request head; nothing is sent before the first {@link #write}. */
  static StreamedResponse open(
      InetSocketAddress runtimeApi, String host, String requestId, String contentType)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true); // each event is one small write that must leave at once
      socket.connect(runtimeApi);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Lambda-Runtime-Function-Response-Mode", "streaming");
      headers.put("Transfer-Encoding", "chunked");
      headers.put("Trailer", ERROR_TYPE + ", " + ERROR_BODY);
      headers.put("Content-Type", contentType);
      RuntimeHttp.writeRequest(
          out, "POST", RuntimeApi.invocationPath(requestId, "response"), host, headers);
      return new StreamedResponse(socket, out);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends bytes as one chunk, flushed. An empty write sends nothing (a 0 chunk ends a body). */
  void write(byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return;
    }
    out.write(Integer.toHexString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    out.write(CRLF);
    out.write(bytes);
    out.write(CRLF);
    out.flush();
    bodyBytes += bytes.length;
  }

  /** Body bytes sent so far. */
  long bodyBytes() {
    return bodyBytes;
  }

  /** Ends the body normally and reads the Runtime API's answer. */
  RuntimeHttp.Reply finish() throws IOException {
    return end(null);
  }

  /**
   * Ends the body with the error trailers: Lambda "treats this as a successful response and
   * forwards the error metadata"; the client has already seen the error event in the body.
   */
  RuntimeHttp.Reply fail(RuntimeError error) throws IOException {
    return end(error);
  }

  private RuntimeHttp.Reply end(RuntimeError error) throws IOException {
    if (ended) {
      throw new IllegalStateException("the response has already ended");
    }
    ended = true;
    StringBuilder last = new StringBuilder("0\r\n");
    if (error != null) {
      last.append(ERROR_TYPE).append(": ").append(error.headerType()).append("\r\n");
      last.append(ERROR_BODY).append(": ").append(error.trailerBody()).append("\r\n");
    }
    last.append("\r\n");
    out.write(last.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return RuntimeHttp.read(new BufferedInputStream(socket.getInputStream()));
  }

  /** Closes the connection, as the protocol asks once the body has been written. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
