package dev.novaproxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings a config file may hold, and how each is resolved: the environment, then the file,
 * then the default (a flag, when given, wins over all three; the CLI checks that first). One table,
 * so that the CLI's defaults, {@code config show} and {@code config set} cannot disagree.
 */
public final class Settings {
  public static final List<Setting> ALL =
      List.of(
          new Setting(
              "region",
              "--region",
              List.of("AWS_REGION", "AWS_DEFAULT_REGION"),
              Set.of(),
              null,
              false,
              "AWS region (after the environment, the AWS profile's region counts before the file)",
              Checks.REGION),
          new Setting(
              "profile",
              "--profile",
              List.of("AWS_PROFILE"),
              Set.of(),
              null,
              false,
              "AWS profile (none: the default credential chain)",
              Checks.PROFILE),
          new Setting(
              "endpointUrl",
              "--endpoint-url",
              List.of("AWS_ENDPOINT_URL"),
              Set.of(),
              null,
              false,
              "AWS endpoint override, e.g. moto on http://127.0.0.1:5000",
              Checks.ENDPOINT_URL),
          new Setting(
              "name",
              "--name",
              List.of("NOVAPROXY_NAME"),
              Set.of(),
              "novaproxy",
              false,
              "the deployment's name, in every resource name and tag",
              Checks.NAME),
          new Setting(
              "secretName",
              "--secret-name",
              List.of("NOVAPROXY_SECRET_NAME"),
              Set.of("setup", "deploy", "status", "destroy", "doctor"),
              "backend/NovaApiKey",
              false,
              "the Secrets Manager secret holding the Nova key",
              Checks.SECRET_NAME),
          new Setting(
              "url",
              "--url",
              List.of("NOVAPROXY_URL"),
              Set.of("chat"),
              "http://127.0.0.1:8080",
              false,
              "the proxy chat talks to (deploy saves the deployed URL here)",
              Checks.PROXY_URL),
          new Setting(
              "defaultModel",
              "--default-model",
              List.of("NOVAPROXY_DEFAULT_MODEL"),
              Set.of("serve", "deploy"),
              "nova-2-lite-v1",
              false,
              "model used when a request names none",
              Checks.MODEL),
          new Setting(
              "allowModels",
              "--allow-model",
              List.of("NOVAPROXY_ALLOW_MODELS"),
              Set.of("serve", "deploy"),
              null,
              true,
              "models clients may ask for (none: any)",
              Checks.MODEL),
          new Setting(
              "modelAliases",
              "--model-alias",
              List.of("NOVAPROXY_MODEL_ALIASES"),
              Set.of("serve", "deploy"),
              null,
              true,
              "model names clients ask for, each answered by a Nova model (NAME=MODEL)",
              Checks.MODEL_ALIAS),
          new Setting(
              "maxTokensCap",
              "--max-tokens-cap",
              List.of("NOVAPROXY_MAX_TOKENS_CAP"),
              Set.of("serve", "deploy"),
              null,
              false,
              "the most output tokens a request may ask for",
              Checks.MAX_TOKENS_CAP),
          new Setting(
              "allowOrigins",
              "--allow-origin",
              List.of("NOVAPROXY_ALLOW_ORIGINS"),
              Set.of("serve", "deploy"),
              null,
              true,
              "browser origins allowed to call the proxy (CORS)",
              Checks.ORIGIN),
          new Setting(
              "maxBodyBytes",
              "--max-body-bytes",
              List.of("NOVAPROXY_MAX_BODY_BYTES"),
              Set.of("serve", "deploy"),
              "6291456",
              false,
              "largest request body accepted",
              Checks.MAX_BODY_BYTES),
          new Setting(
              "host",
              "--host",
              List.of("NOVAPROXY_HOST"),
              Set.of("serve"),
              "127.0.0.1",
              false,
              "address serve listens on",
              Checks.HOST),
          new Setting(
              "port",
              "--port",
              List.of("NOVAPROXY_PORT"),
              Set.of("serve"),
              "8080",
              false,
              "port serve listens on",
              Checks.PORT),
          new Setting(
              "upstreamUrl",
              "--upstream-url",
              List.of("NOVA_UPSTREAM_URL"),
              Set.of("serve", "deploy", "doctor"),
              "https://api.nova.amazon.com/v1",
              false,
              "the Nova API base URL",
              Checks.UPSTREAM_URL),
          new Setting(
              "clientTokenSha256",
              "--client-token-sha256",
              List.of("NOVAPROXY_CLIENT_TOKEN_SHA256"),
              Set.of("serve", "deploy"),
              null,
              true,
              "SHA-256 hashes of the client tokens the proxy requires (from 'novaproxy token')",
              Checks.CLIENT_TOKEN_SHA256),
          new Setting(
              "maxInFlight",
              "--max-in-flight",
              List.of("NOVAPROXY_MAX_IN_FLIGHT"),
              Set.of("serve"),
              "8000",
              false,
              "chats serve answers at once; past it, 503 with Retry-After",
              Checks.MAX_IN_FLIGHT),
          new Setting(
              "writeTimeout",
              "--write-timeout",
              List.of("NOVAPROXY_WRITE_TIMEOUT"),
              Set.of("serve"),
              "30",
              false,
              "seconds serve waits for a client that does not read before dropping it",
              Checks.WRITE_TIMEOUT));

  /** Where a value came from, as {@code config show} names it. */
  public enum Source {
    flag,
    env,
    profile,
    file,
    none,
    defaults;

    public String label() {
      return this == defaults ? "default" : name();
    }
  }

  /**
   * A resolved value and its origin; {@code origin} names the variable or file when there is one.
   */
  public record Resolved(Setting setting, String value, Source source, String origin) {}

  private final Map<String, String> env;
  private final ConfigFile file;
  private final Function<String, String> profileRegion;
  private ObjectNode saved;

  /**
   * @param profileRegion the region of an AWS profile (null profile: the default one), or null; it
   *     ranks between the environment and the file, as the AWS tools do
   */
  public Settings(
      Map<String, String> env, ConfigFile file, Function<String, String> profileRegion) {
    this.env = env;
    this.file = file;
    this.profileRegion = profileRegion;
  }

  public ConfigFile file() {
    return file;
  }

  public static Optional<Setting> byKey(String key) {
    return ALL.stream().filter(s -> s.key().equalsIgnoreCase(key)).findFirst();
  }

  public static Optional<Setting> byOption(String option, String command) {
    return ALL.stream().filter(s -> s.option().equals(option) && s.appliesTo(command)).findFirst();
  }

  /**
   * The value without a flag: environment, (for the region) the AWS profile, the file, the default.
   */
  public Resolved resolve(Setting s) {
    return resolve(s, null);
  }

  /**
   * As {@link #resolve(Setting)}; {@code profileFlag}, when not null, is a --profile given on the
   * command line, which picks the profile whose region counts.
   */
  public Resolved resolve(Setting s, String profileFlag) {
    Resolved fromEnv = fromEnvironment(s);
    if (fromEnv != null) {
      return fromEnv;
    }
    if (s.key().equals("region")) {
      String profile =
          profileFlag != null ? profileFlag : resolve(byKey("profile").orElseThrow()).value();
      String region = profileRegion.apply(profile);
      if (region != null && !region.isBlank()) {
        return new Resolved(
            s, region.trim(), Source.profile, profile == null ? "default" : profile);
      }
    }
    String fromFile = fromFile(s);
    if (fromFile != null) {
      return new Resolved(s, fromFile, Source.file, file.path().toString());
    }
    return new Resolved(
        s, s.defaultValue(), s.defaultValue() == null ? Source.none : Source.defaults, null);
  }

  /** The value the user set, in the environment or else in the file (no profile, no default). */
  public Resolved userValue(Setting s) {
    Resolved fromEnv = fromEnvironment(s);
    if (fromEnv != null) {
      return fromEnv;
    }
    String fromFile = fromFile(s);
    return fromFile == null ? null : new Resolved(s, fromFile, Source.file, file.path().toString());
  }

  private Resolved fromEnvironment(Setting s) {
    for (String var : s.env()) {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        return new Resolved(s, v.trim(), Source.env, var);
      }
    }
    return null;
  }

  /**
   * What is wrong with a resolved value, as one line that names where it came from and how to
   * change it there; null when nothing is. A value the user never typed is never blamed on a flag.
   */
  public static String complaint(Resolved r) {
    String problem = r.value() == null ? null : r.setting().problem(r.value());
    if (problem == null) {
      return null;
    }
    String key = r.setting().key();
    return switch (r.source()) {
      case env -> r.origin() + ": " + problem + "; change or unset " + r.origin() + ".";
      case file ->
          "The config file "
              + r.origin()
              + " has a bad "
              + key
              + ": "
              + problem
              + "; change it with 'novaproxy config set "
              + key
              + " VALUE' or remove it with 'novaproxy config unset "
              + key
              + "'.";
      case profile -> "The AWS profile " + r.origin() + " has a bad region: " + problem + ".";
      default -> r.setting().option() + ": " + problem + ".";
    };
  }

  /** The file's value: a string, a number, or (for a list) the elements joined by commas. */
  private String fromFile(Setting s) {
    if (saved == null) {
      saved = file.read();
    }
    JsonNode v = saved.get(s.key());
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(e.asText()));
      return parts.isEmpty() ? null : String.join(",", parts);
    }
    String text = v.asText().trim();
    return text.isEmpty() ? null : text;
  }

  /**
   * Whether a name looks like it would hold a credential. The file never holds the Nova key, so
   * such names are refused outright rather than reported as merely unknown. A hash of a token
   * (clientTokenSha256) is not a credential: it cannot be turned back into the token.
   */
  public static boolean looksSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (k.endsWith("sha256") || k.endsWith("hash") || k.endsWith("hashes")) {
      return false;
    }
    return (k.contains("key") && !k.equals("secretname"))
        || k.contains("token")
        || k.contains("password")
        || k.equals("secret")
        || k.contains("credential");
  }
}
