package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * Turns a client's request body into the request forwarded to Nova, or rejects it with a 4xx in the
 * OpenAI error shape whose {@code param} names the offending field. Rejection happens before any
 * upstream call, so a bad request never reaches Nova.
 *
 * <p>Order matters for the client: size first (cheapest, and 413 is its own status), then encoding,
 * JSON syntax and limits, then the fields, and the policy last, so that a request is only told
 * about the policy once it is otherwise valid.
 *
 * <p>One instance serves all requests concurrently: it holds only immutable state.
 */
public final class RequestValidator {
  /**
   * The fields the proxy checks and reads as trees; everything else passes through as raw bytes.
   */
  static final Set<String> CHECKED_FIELDS =
      Set.of(
          "model",
          "messages",
          "stream",
          "temperature",
          "top_p",
          "max_tokens",
          "max_completion_tokens",
          "n",
          "stop",
          "tools",
          "tool_choice",
          "stream_options",
          "reasoning_effort",
          "system_tools");

  private final Policy policy;
  private final JsonBodyReader reader;
  private final PolicyRules policyRules;

  public RequestValidator(Policy policy) {
    this.policy = policy;
    this.reader = new JsonBodyReader(policy.limits(), CHECKED_FIELDS);
    this.policyRules = new PolicyRules(policy);
  }

  /**
   * Validates and normalises one request body.
   *
   * @throws ProxyException 413 when the body is over the size limit, 400 for anything else wrong
   */
  public ValidatedRequest validate(byte[] body) {
    if (body.length > policy.limits().maxBodyBytes()) {
      throw ProxyException.tooLarge(policy.limits().maxBodyBytes());
    }
    int bad = Utf8.firstInvalid(body);
    if (bad >= 0) {
      throw encodingError(body, bad);
    }
    ObjectNode request = reader.read(body);
    ParameterRules.check(request);
    MessageRules.check(request.get("messages"));
    ToolRules.check(request.get("tools"), request.get("tool_choice"));
    String asked =
        JsonFields.absent(request.get("model"))
            ? policy.defaultModel()
            : request.get("model").textValue();
    String model = policyRules.applyModel(request);
    policyRules.applyTokenCap(request);
    return new ValidatedRequest(
        request, model, ParameterRules.streams(request), asked.equals(model) ? null : asked);
  }

  private static ProxyException encodingError(byte[] body, int offset) {
    String why =
        body[offset] == 0
            ? "it contains a NUL byte at offset " + offset + " (UTF-16 or UTF-32 text?)"
            : String.format(
                "byte 0x%02X at offset %d is not valid UTF-8", body[offset] & 0xFF, offset);
    return ProxyException.invalid(
        null, InvalidRequest.INVALID_ENCODING, "The request body must be UTF-8 JSON: " + why + ".");
  }
}
