package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** Placeholder until the full validator lands (branch validate): the minimum the core relies on. */
public final class RequestValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Policy policy;

  public RequestValidator(Policy policy) {
    this.policy = policy;
  }

  public ValidatedRequest validate(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw ProxyException.invalid(null, "invalid_json", "The body is not valid JSON.");
    }
    if (!(root instanceof ObjectNode object)) {
      throw ProxyException.invalid(null, "The body must be a JSON object.");
    }
    if (!object.path("messages").isArray() || object.path("messages").isEmpty()) {
      throw ProxyException.invalid("messages", "messages must be a non-empty array.");
    }
    if (!object.has("model")) {
      object.put("model", policy.defaultModel());
    }
    String model = object.path("model").asText();
    if (!policy.allowsModel(model)) {
      throw ProxyException.invalid("model", "model_not_allowed", "Model " + model + " is not allowed.");
    }
    return new ValidatedRequest(object, model, object.path("stream").asBoolean(false));
  }
}
