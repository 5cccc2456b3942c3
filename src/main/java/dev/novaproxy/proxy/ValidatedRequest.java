package dev.novaproxy.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat completion request that passed validation and had the policy applied: the body to send
 * upstream (unknown fields kept unchanged), the Nova model it names, whether it asks to stream, and
 * the model alias the client asked for (null when it named a model, or nothing).
 */
public record ValidatedRequest(ObjectNode body, String model, boolean stream, String alias) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ValidatedRequest(ObjectNode body, String model, boolean stream) {
    this(body, model, stream, null);
  }

  /** The body as UTF-8 JSON bytes; straight to bytes, without an intermediate String. */
  public byte[] bodyBytes() {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw ProxyException.internal("Cannot serialise the request body.");
    }
  }
}
