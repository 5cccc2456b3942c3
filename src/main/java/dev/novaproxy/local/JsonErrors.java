package dev.novaproxy.local;

import dev.novaproxy.proxy.ErrorBodies;
import dev.novaproxy.proxy.ProxyException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before the proxy sees the request (a malformed request line, a
 * header too large), in the OpenAI shape every other error of the proxy has, instead of HTML.
 */
final class JsonErrors extends ErrorHandler {
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus() > 0 ? response.getStatus() : 500;
    Object message = request.getAttribute(ERROR_MESSAGE);
    ProxyException error =
        new ProxyException(
            status,
            status >= 500 ? "server_error" : "invalid_request_error",
            status >= 500 ? "server_error" : "bad_request",
            null,
            "The request could not be read" + (message == null ? "." : ": " + message + "."));
    response.getHeaders().put("Content-Type", "application/json");
    response.write(true, ByteBuffer.wrap(ErrorBodies.bytes(error)), callback);
    return true;
  }
}
