package dev.novaproxy.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * An error as the Runtime API takes it: a type ({@code Category.Reason}, sent as the {@code
 * Lambda-Runtime-Function-Error-Type} header or trailer) and a JSON body. Messages come from
 * novaproxy's own exceptions and never hold the Nova key, which lives only in the secret cache and
 * the upstream request's Authorization header.
 */
record RuntimeError(String type, String message, List<String> stackTrace) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FRAMES = 20;

  static RuntimeError of(String type, String message) {
    return new RuntimeError(type, message, List.of());
  }

  /** From an exception: its class and message, and the first frames of its stack. */
  static RuntimeError of(String type, Throwable t) {
    StackTraceElement[] frames = t.getStackTrace();
    List<String> trace =
        java.util.Arrays.stream(frames).limit(MAX_FRAMES).map(StackTraceElement::toString).toList();
    String message = t.getMessage() == null ? "" : ": " + t.getMessage();
    return new RuntimeError(type, t.getClass().getSimpleName() + message, trace);
  }

  /**
   * The body of {@code /invocation/{id}/error}, {@code /init/error} and {@code /restore/error}
   * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): {@code errorMessage}, {@code
   * errorType}, {@code stackTrace}.
   */
  byte[] json() {
    ObjectNode body = JSON.createObjectNode();
    body.put("errorMessage", message);
    body.put("errorType", type);
    ArrayNode frames = body.putArray("stackTrace");
    stackTrace.forEach(frames::add);
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The {@code Lambda-Runtime-Function-Error-Body} trailer of a streamed response: base64 of {@code
   * {errorType, errorMessage, trace}}, as AWS's Node.js runtime interface client sends it
   * (aws/aws-lambda-nodejs-runtime-interface-client, src/ResponseStream.js and src/Errors.js
   * toRapidResponse).
   */
  String trailerBody() {
    ObjectNode body = JSON.createObjectNode();
    body.put("errorType", type);
    body.put("errorMessage", message);
    ArrayNode frames = body.putArray("trace");
    stackTrace.forEach(frames::add);
    return Base64.getEncoder().encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The type as a header value: one line of visible ASCII, as HTTP requires. */
  String headerType() {
    return type.replaceAll("[^\\x21-\\x7e]", "_");
  }
}
