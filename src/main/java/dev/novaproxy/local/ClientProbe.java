package dev.novaproxy.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Whether a client closed its connection after sending its request. On HTTP/1.1 a server learns
 * that only by reading: Jetty does not read while a request is handled, so this reads once, without
 * waiting. Anything other than the end (a pipelined next request, which no common client sends)
 * cannot be put back: the response then closes the connection, and the client sends that request
 * again, as RFC 9112 (9.3.2) has pipelining clients do.
 */
final class ClientProbe {
  static boolean gone(Request request, Response response) throws IOException {
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    if (!endPoint.isOpen() || endPoint.isInputShutdown()) {
      return true;
    }
    ByteBuffer one = ByteBuffer.allocate(1);
    one.flip(); // Jetty's buffers are filled from flush mode
    int n;
    try {
      n = endPoint.fill(one);
    } catch (IOException reset) {
      return true;
    }
    if (n > 0) {
      response.getHeaders().put("Connection", "close");
    }
    return n < 0;
  }

  private ClientProbe() {}
}
