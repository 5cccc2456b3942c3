package dev.novaproxy.proxy;

import static dev.novaproxy.proxy.JsonFields.absent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.TreeSet;

/**
 * Applies the operator's policy to a request that is already known to be well-formed: fills in the
 * default model, refuses models not allowed, and enforces the cap on output tokens.
 */
final class PolicyRules {
  private final Policy policy;

  PolicyRules(Policy policy) {
    this.policy = policy;
  }

  /**
   * Returns the Nova model the request will use, after writing it into the body if it was absent or
   * an alias: the allowed models are checked against that model, not the alias.
   */
  String applyModel(ObjectNode body) {
    JsonNode given = body.get("model");
    boolean defaulted = absent(given);
    String asked = defaulted ? policy.defaultModel() : given.textValue();
    String model = policy.resolve(asked);
    if (!policy.allowsModel(model)) {
      String allowed = String.join(", ", new TreeSet<>(policy.allowedModels()));
      if (defaulted) {
        // The operator's configuration is inconsistent; the client can still name an allowed model.
        throw ProxyException.invalid(
            "model",
            InvalidRequest.MODEL_NOT_ALLOWED,
            "This proxy's default model "
                + InvalidRequest.quote(model)
                + " is not among its allowed models; name one of them in 'model': "
                + allowed
                + ".");
      }
      throw ProxyException.invalid(
          "model",
          InvalidRequest.MODEL_NOT_ALLOWED,
          "The model "
              + InvalidRequest.quote(asked)
              + (asked.equals(model) ? "" : " (an alias of " + InvalidRequest.quote(model) + ")")
              + " is not allowed by this proxy; use one of: "
              + allowed
              + ".");
    }
    if (defaulted || !asked.equals(model)) {
      body.put("model", model);
    }
    return model;
  }

  /**
   * Lowers {@code max_tokens} and {@code max_completion_tokens} to the cap; when the request names
   * neither, sets {@code max_tokens} to the cap, since Nova's own default could exceed it.
   */
  void applyTokenCap(ObjectNode body) {
    Integer cap = policy.maxTokensCap();
    if (cap == null) {
      return;
    }
    // n answers cost n times the tokens: a cap per request would not hold.
    JsonNode n = body.get("n");
    if (!absent(n) && n.intValue() > 1) {
      throw ProxyException.invalid(
          "n",
          InvalidRequest.INVALID_VALUE,
          "This proxy caps output tokens, so it answers one choice per request: 'n' must be 1.");
    }
    boolean named = false;
    for (String key : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode v = body.get(key);
      if (absent(v)) {
        continue;
      }
      named = true;
      if (v.intValue() > cap) {
        body.put(key, cap.intValue());
      }
    }
    if (!named) {
      body.put("max_tokens", cap.intValue());
    }
  }
}
