package dev.novaproxy.cli;

import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.ModelAliases;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The proxy's policy as flags, shared by {@code serve} and {@code deploy} so both mean the same. A
 * flag changes only its own setting: {@code deploy} starts from what is deployed, so a flag not
 * given keeps the deployed value, and removing a protection takes a word of its own ({@code
 * --no-client-tokens}, {@code --allow-origin none}, {@code --allow-model any}, {@code
 * --max-tokens-cap none}).
 */
public final class PolicyOptions {
  static final String NONE = "none";
  static final String ANY = "any";

  /** The command these options belong to: to name where a value came from. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--default-model",
      paramLabel = "MODEL",
      description = "Model used when a request names none (default: " + Policy.DEFAULT_MODEL + ").")
  String defaultModel;

  @Option(
      names = "--allow-model",
      paramLabel = "MODEL",
      split = ",",
      description =
          "A model clients may ask for; repeat (or separate with commas) for more; 'any' removes"
              + " the list. Default: any.")
  List<String> allowedModels = new ArrayList<>();

  @Option(
      names = "--max-tokens-cap",
      paramLabel = "N",
      description =
          "The most output tokens a request may ask for (max_tokens is lowered to it); 'none'"
              + " removes the cap. Default: none.")
  String maxTokensCap;

  @Option(
      names = "--allow-origin",
      paramLabel = "ORIGIN",
      split = ",",
      description =
          "A browser origin allowed to call the proxy (CORS), e.g. https://app.example.com;"
              + " repeat (or separate with commas) for more; '*' allows any; 'none' allows no"
              + " browser origin. Default: none.")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(
      names = "--max-body-bytes",
      paramLabel = "BYTES",
      description = "Largest request body accepted (default: 6291456, Lambda's 6 MB limit).")
  Integer maxBodyBytes;

  @Option(
      names = "--client-token-sha256",
      paramLabel = "HASH",
      split = ",",
      description =
          "Require clients to send 'Authorization: Bearer TOKEN' where TOKEN's SHA-256 is HASH"
              + " (make one with 'novaproxy token'); repeat for more; replaces the hashes in"
              + " force. Default: no client token.")
  List<String> clientTokenHashes = new ArrayList<>();

  @Option(
      names = "--model-alias",
      paramLabel = "NAME=MODEL",
      split = ",",
      description =
          "Answer requests for model NAME with the Nova model MODEL, so clients keep asking for"
              + " NAME while you choose what answers (e.g. chat=nova-2-lite-v1); repeat for more;"
              + " replaces the aliases in force; 'none' removes them. The allowed models apply to"
              + " MODEL. Default: none.")
  List<String> modelAliases = new ArrayList<>();

  @Option(
      names = "--no-client-tokens",
      description = "Remove the client-token requirement: anyone with the URL may call.")
  boolean noClientTokens;

  /**
   * {@code base} with the given flags applied and nothing else changed; a bad value, or a result
   * that contradicts itself, is a usage error naming the flag.
   */
  public ProxySettings applyTo(ProxySettings base) {
    return base.withPolicy(applyTo(base.policy())).withClientAuth(clientAuth(base.clientAuth()));
  }

  /** The policy these flags describe on top of the defaults (what {@code serve} runs with). */
  public Policy toPolicy() {
    return applyTo(Policy.defaults());
  }

  private ClientAuth clientAuth(ClientAuth base) {
    if (noClientTokens && !clientTokenHashes.isEmpty()) {
      throw CliException.usage(
          "--no-client-tokens contradicts "
              + (mixee == null
                  ? "--client-token-sha256"
                  : ConfigDefaults.origin(mixee, "--client-token-sha256"))
              + "; give one.");
    }
    if (noClientTokens) {
      return ClientAuth.off();
    }
    if (clientTokenHashes.isEmpty()) {
      return base;
    }
    try {
      return ClientAuth.ofSha256(clientTokenHashes);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--client-token-sha256: " + e.getMessage());
    }
  }

  private Policy applyTo(Policy base) {
    Integer cap = base.maxTokensCap();
    if (maxTokensCap != null) {
      cap = maxTokensCap.trim().equalsIgnoreCase(NONE) ? null : positive(maxTokensCap);
    }
    if (maxBodyBytes != null && maxBodyBytes < 1024) {
      throw CliException.usage("--max-body-bytes must be at least 1024.");
    }
    Set<String> allowed = base.allowedModels();
    if (!allowedModels.isEmpty()) {
      allowed = word(allowedModels, ANY, "--allow-model", "models");
    }
    String model =
        defaultModel == null || defaultModel.isBlank() ? base.defaultModel() : defaultModel.trim();
    Map<String, String> aliases = aliases(base.modelAliases());
    String answering = aliases.getOrDefault(model, model);
    if (!allowed.isEmpty() && !allowed.contains(answering)) {
      throw CliException.usage(
          "The default model "
              + model
              + (answering.equals(model) ? "" : " (an alias of " + answering + ")")
              + " is not among the allowed models "
              + new java.util.TreeSet<>(allowed)
              + "; allow it with --allow-model or pick another with --default-model.");
    }
    for (var alias : aliases.entrySet()) {
      if (!allowed.isEmpty() && !allowed.contains(alias.getValue())) {
        throw CliException.usage(
            "The model alias "
                + alias.getKey()
                + "="
                + alias.getValue()
                + " names a model that is not among the allowed models "
                + new java.util.TreeSet<>(allowed)
                + "; allow it with --allow-model or change the alias with --model-alias.");
      }
    }
    List<String> origins = base.allowedOrigins();
    if (!allowedOrigins.isEmpty()) {
      origins = List.copyOf(word(allowedOrigins, NONE, "--allow-origin", "origins"));
      for (String origin : origins) {
        if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
          throw CliException.usage(
              "--allow-origin takes an origin such as https://app.example.com (scheme and host,"
                  + " no path), '*' or 'none', not '"
                  + origin
                  + "'.");
        }
      }
    }
    Policy.Limits limits = base.limits();
    if (maxBodyBytes != null) {
      limits = new Policy.Limits(maxBodyBytes, limits.maxDepth(), maxBodyBytes);
    }
    return new Policy(model, allowed, cap, origins, limits, aliases);
  }

  /** The aliases given (replacing {@code base}'s), or {@code base} when none were. */
  private Map<String, String> aliases(Map<String, String> base) {
    if (modelAliases.isEmpty()) {
      return base;
    }
    Set<String> given = word(modelAliases, NONE, "--model-alias", "aliases");
    try {
      return ModelAliases.parse(List.copyOf(given));
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--model-alias: " + e.getMessage() + ".");
    }
  }

  /**
   * The values given, in order and without repeats; the single word (any, none) stands for the
   * empty list and cannot be mixed with values.
   */
  private static Set<String> word(List<String> given, String word, String flag, String what) {
    var values = new LinkedHashSet<String>();
    given.forEach(v -> values.add(v.trim()));
    boolean hasWord = values.stream().anyMatch(v -> v.equalsIgnoreCase(word));
    if (hasWord && values.size() > 1) {
      throw CliException.usage(
          flag + " " + word + " stands alone: it cannot be combined with " + what + ".");
    }
    return hasWord ? Set.of() : values;
  }

  private static int positive(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is accepted
    }
    throw CliException.usage(
        "--max-tokens-cap takes a whole number of at least 1, or 'none', not '" + value + "'.");
  }
}
