package dev.novaproxy.proxy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the operator allows clients to ask for. The same policy is set by flags on {@code serve} and
 * {@code deploy} and read from environment variables in the Lambda ({@link ProxySettings}).
 *
 * @param defaultModel the model used when a request names none
 * @param allowedModels models a client may ask for; empty means any
 * @param maxTokensCap the most output tokens a request may ask for, or null for no cap
 * @param allowedOrigins CORS origins allowed to call from a browser; {@code *} only when given
 * @param limits size limits on the request
 * @param modelAliases names clients may ask for, each answered by a Nova model ({@link
 *     ModelAliases}); the allowed models, the limits and the logs see the Nova model
 */
public record Policy(
    String defaultModel,
    Set<String> allowedModels,
    Integer maxTokensCap,
    List<String> allowedOrigins,
    Limits limits,
    Map<String, String> modelAliases) {

  public static final String DEFAULT_MODEL = "nova-2-lite-v1";

  /**
   * @throws IllegalArgumentException when an alias is malformed or names another alias
   */
  public Policy {
    allowedModels = Set.copyOf(allowedModels);
    allowedOrigins = List.copyOf(allowedOrigins);
    modelAliases = ModelAliases.checked(modelAliases);
  }

  /** A policy without model aliases. */
  public Policy(
      String defaultModel,
      Set<String> allowedModels,
      Integer maxTokensCap,
      List<String> allowedOrigins,
      Limits limits) {
    this(defaultModel, allowedModels, maxTokensCap, allowedOrigins, limits, Map.of());
  }

  public Policy withModelAliases(Map<String, String> aliases) {
    return new Policy(defaultModel, allowedModels, maxTokensCap, allowedOrigins, limits, aliases);
  }

  /** The Nova model that answers a request for {@code asked}: its alias's target, or itself. */
  public String resolve(String asked) {
    return modelAliases.getOrDefault(asked, asked);
  }

  public static Policy defaults() {
    return new Policy(DEFAULT_MODEL, Set.of(), null, List.of(), Limits.defaults());
  }

  public boolean allowsModel(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  /**
   * Size limits on a request. The body default is Lambda's synchronous payload limit (6 MB), so
   * that {@code serve} rejects what the deployed proxy would.
   */
  public record Limits(int maxBodyBytes, int maxDepth, int maxStringLength) {
    public static final int DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_BODY_BYTES, 64, DEFAULT_MAX_BODY_BYTES);
    }
  }
}
