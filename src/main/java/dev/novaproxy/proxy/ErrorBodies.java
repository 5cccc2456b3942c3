package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The OpenAI error shape, {@code {"error":{"message","type","code","param"}}}. */
public final class ErrorBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static ObjectNode node(ProxyException e) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("code", e.code());
    if (e.param() == null) {
      error.putNull("param");
    } else {
      error.put("param", e.param());
    }
    return root;
  }

  public static byte[] bytes(ProxyException e) {
    return node(e).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The response for an error, with the headers the error carries (Retry-After, Allow). */
  public static ProxyResponse response(ProxyException e) {
    ProxyResponse r = ProxyResponse.json(e.status(), bytes(e));
    e.headers().forEach(r::header);
    return r;
  }

  /** The same error as one server-sent event, for a stream that fails after it has begun. */
  public static byte[] event(ProxyException e) {
    return ("data: " + node(e) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  private ErrorBodies() {}
}
