package dev.novaproxy.cli;

import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The proxy's policy as flags, shared by {@code serve} and {@code deploy} so both mean the same.
 */
public final class PolicyOptions {
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
          "A model clients may ask for; repeat (or separate with commas) for more. Default: any.")
  List<String> allowedModels = new ArrayList<>();

  @Option(
      names = "--max-tokens-cap",
      paramLabel = "N",
      description = "The most output tokens a request may ask for (max_tokens is lowered to it).")
  Integer maxTokensCap;

  @Option(
      names = "--allow-origin",
      paramLabel = "ORIGIN",
      split = ",",
      description =
          "A browser origin allowed to call the proxy (CORS), e.g. https://app.example.com; "
              + "repeat (or separate with commas) for more; '*' allows any. Default: none.")
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
          "Require clients to send 'Authorization: Bearer TOKEN' where TOKEN's SHA-256 is HASH "
              + "(make one with 'novaproxy token'); repeat for more. Default: no client token.")
  List<String> clientTokenHashes = new ArrayList<>();

  /** The settings with this policy and client auth applied; a bad value is a usage error. */
  public ProxySettings applyTo(ProxySettings settings) {
    ClientAuth auth;
    try {
      auth =
          clientTokenHashes.isEmpty() ? ClientAuth.off() : ClientAuth.ofSha256(clientTokenHashes);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--client-token-sha256: " + e.getMessage());
    }
    return settings.withPolicy(toPolicy()).withClientAuth(auth);
  }

  /** The policy these flags describe; a bad value is a usage error naming the flag. */
  public Policy toPolicy() {
    Policy d = Policy.defaults();
    if (maxTokensCap != null && maxTokensCap < 1) {
      throw CliException.usage("--max-tokens-cap must be at least 1.");
    }
    if (maxBodyBytes != null && maxBodyBytes < 1024) {
      throw CliException.usage("--max-body-bytes must be at least 1024.");
    }
    String model =
        defaultModel == null || defaultModel.isBlank() ? d.defaultModel() : defaultModel.trim();
    var allowed = new LinkedHashSet<String>();
    allowedModels.forEach(m -> allowed.add(m.trim()));
    if (!allowed.isEmpty() && !allowed.contains(model)) {
      throw CliException.usage(
          "The default model "
              + model
              + " is not among --allow-model "
              + allowed
              + "; allow it or pick another default.");
    }
    for (String origin : allowedOrigins) {
      if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
        throw CliException.usage(
            "--allow-origin takes an origin such as https://app.example.com (scheme and host, no path), not '"
                + origin
                + "'.");
      }
    }
    int body = maxBodyBytes == null ? d.limits().maxBodyBytes() : maxBodyBytes;
    return new Policy(
        model,
        allowed,
        maxTokensCap,
        List.copyOf(new LinkedHashSet<>(allowedOrigins)),
        new Policy.Limits(body, d.limits().maxDepth(), body));
  }
}
