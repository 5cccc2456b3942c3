package dev.novaproxy.proxy;

import dev.novaproxy.limits.LimitsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything that configures one proxy: where Nova is, how long to wait, the policy, how long the
 * key is cached. {@link #fromEnvironment} is the Lambda's contract with {@code deploy}: the
 * environment variable names below are what deploy writes into the function's configuration.
 *
 * <p>{@code streamWithinTimeout}: whether a streamed answer as a whole must end within the total
 * timeout. True in Lambda, where the stream is collected whole and the function's own timeout would
 * otherwise cut it off with no answer at all; false under {@code serve}, where a long stream is
 * fine and only silence longer than the timeout ends it.
 *
 * <p>{@code allowedUpstreamHosts}: hosts besides the Nova API and this machine that the operator
 * explicitly allowed as the upstream (see {@link UpstreamUrl}); lower case, no duplicates.
 *
 * <p>{@code limits}: client keys, per-key and per-IP limits and the daily budget; they travel in
 * the same environment ({@link LimitsSettings} names the variables).
 */
public record ProxySettings(
    URI upstreamUrl,
    Duration connectTimeout,
    Duration totalTimeout,
    Duration maxRetryAfter,
    Duration secretTtl,
    boolean logContent,
    Policy policy,
    boolean streamWithinTimeout,
    ClientAuth clientAuth,
    List<String> allowedUpstreamHosts,
    LimitsSettings limits) {

  public static final URI DEFAULT_UPSTREAM = URI.create("https://api.nova.amazon.com/v1");
  public static final String DEFAULT_SECRET_NAME = "backend/NovaApiKey";

  // The Lambda's environment; deploy writes these, the handler reads them.
  public static final String ENV_SECRET_NAME = "SECRET_MANAGER_SECRET_NAME";
  public static final String ENV_UPSTREAM_URL = "NOVA_UPSTREAM_URL";
  public static final String ENV_DEFAULT_MODEL = "NOVA_DEFAULT_MODEL";
  public static final String ENV_ALLOWED_MODELS = "NOVA_ALLOWED_MODELS";
  public static final String ENV_MAX_TOKENS_CAP = "NOVA_MAX_TOKENS_CAP";
  public static final String ENV_ALLOWED_ORIGINS = "NOVA_ALLOWED_ORIGINS";
  public static final String ENV_MAX_BODY_BYTES = "NOVA_MAX_BODY_BYTES";
  public static final String ENV_TIMEOUT_SECONDS = "NOVA_TIMEOUT_SECONDS";
  public static final String ENV_SECRET_TTL_SECONDS = "NOVA_SECRET_TTL_SECONDS";
  public static final String ENV_LOG_CONTENT = "NOVA_LOG_CONTENT";
  public static final String ENV_CLIENT_TOKEN_SHA256 = "NOVA_CLIENT_TOKEN_SHA256";
  public static final String ENV_UPSTREAM_ALLOWED_HOSTS = "NOVA_UPSTREAM_ALLOWED_HOSTS";
  public static final String ENV_MODEL_ALIASES = "NOVA_MODEL_ALIASES";

  public ProxySettings {
    allowedUpstreamHosts = List.copyOf(allowedUpstreamHosts);
  }

  public static ProxySettings defaults() {
    return new ProxySettings(
        DEFAULT_UPSTREAM,
        Duration.ofSeconds(5),
        Duration.ofSeconds(28),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5),
        false,
        Policy.defaults(),
        false,
        ClientAuth.off(),
        List.of(),
        LimitsSettings.off());
  }

  public ProxySettings withUpstream(URI url) {
    return new ProxySettings(
        url,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        limits);
  }

  /**
   * These settings with {@code hosts} allowed as the upstream besides the Nova API and this machine
   * (replacing any allowed before). This is what {@code --allow-upstream-host} sets; {@link
   * #toEnvironment} carries it to a deployed function as {@value #ENV_UPSTREAM_ALLOWED_HOSTS}. It
   * does not check the upstream URL: {@link #checkedUpstream} does, once all settings are in.
   *
   * @param hosts bare host names such as {@code nova.internal.example}; empty allows none
   * @throws IllegalArgumentException naming an entry that is not a bare host name
   */
  public ProxySettings withAllowedUpstreamHosts(List<String> hosts) {
    List<String> normalised =
        List.copyOf(new LinkedHashSet<>(hosts.stream().map(UpstreamUrl::allowedHost).toList()));
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        clientAuth,
        normalised,
        limits);
  }

  /**
   * The upstream URL, checked against the allowed hosts: what a proxy built from these settings may
   * send the key to.
   *
   * @throws IllegalArgumentException when the URL's host is not allowed (or the URL is unusable);
   *     the message names the fix and never holds the URL's user info
   */
  public URI checkedUpstream() {
    return UpstreamUrl.parse(upstreamUrl.toString(), allowedUpstreamHosts);
  }

  /**
   * The hosts allowed by {@value #ENV_UPSTREAM_ALLOWED_HOSTS} (comma-separated) in {@code env},
   * normalised; empty when it is not set. {@code serve} and the Lambda both read it here.
   *
   * @throws IllegalArgumentException naming an entry that is not a bare host name
   */
  public static List<String> allowedUpstreamHostsFromEnvironment(Map<String, String> env) {
    return defaults()
        .withAllowedUpstreamHosts(list(blankToNull(env.get(ENV_UPSTREAM_ALLOWED_HOSTS))))
        .allowedUpstreamHosts();
  }

  public ProxySettings withPolicy(Policy p) {
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        p,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        limits);
  }

  public ProxySettings withConnectTimeout(Duration d) {
    return new ProxySettings(
        upstreamUrl,
        d,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        limits);
  }

  public ProxySettings withTotalTimeout(Duration d) {
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        d,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        limits);
  }

  public ProxySettings withClientAuth(ClientAuth auth) {
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        auth,
        allowedUpstreamHosts,
        limits);
  }

  public ProxySettings withLimits(LimitsSettings l) {
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        logContent,
        policy,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        l);
  }

  public ProxySettings withLogContent(boolean b) {
    return new ProxySettings(
        upstreamUrl,
        connectTimeout,
        totalTimeout,
        maxRetryAfter,
        secretTtl,
        b,
        policy,
        streamWithinTimeout,
        clientAuth,
        allowedUpstreamHosts,
        limits);
  }

  /**
   * Reads the settings from environment variables (the Lambda's configuration). A malformed value
   * fails loudly at start-up rather than being silently ignored.
   */
  public static ProxySettings fromEnvironment(Map<String, String> env) {
    ProxySettings d = defaults();
    Function<String, String> get = k -> blankToNull(env.get(k));
    List<String> allowedHosts = allowedUpstreamHostsFromEnvironment(env);
    URI upstream =
        get.apply(ENV_UPSTREAM_URL) == null
            ? d.upstreamUrl()
            : UpstreamUrl.parse(get.apply(ENV_UPSTREAM_URL), allowedHosts);
    String model =
        get.apply(ENV_DEFAULT_MODEL) == null ? Policy.DEFAULT_MODEL : get.apply(ENV_DEFAULT_MODEL);
    Integer cap =
        get.apply(ENV_MAX_TOKENS_CAP) == null
            ? null
            : parsePositive(ENV_MAX_TOKENS_CAP, get.apply(ENV_MAX_TOKENS_CAP));
    int maxBody =
        get.apply(ENV_MAX_BODY_BYTES) == null
            ? Policy.Limits.DEFAULT_MAX_BODY_BYTES
            : parsePositive(ENV_MAX_BODY_BYTES, get.apply(ENV_MAX_BODY_BYTES));
    Duration timeout =
        get.apply(ENV_TIMEOUT_SECONDS) == null
            ? d.totalTimeout()
            : Duration.ofSeconds(
                parsePositive(ENV_TIMEOUT_SECONDS, get.apply(ENV_TIMEOUT_SECONDS)));
    Duration ttl =
        get.apply(ENV_SECRET_TTL_SECONDS) == null
            ? d.secretTtl()
            : Duration.ofSeconds(
                parsePositive(ENV_SECRET_TTL_SECONDS, get.apply(ENV_SECRET_TTL_SECONDS)));
    Policy.Limits limits = new Policy.Limits(maxBody, d.policy().limits().maxDepth(), maxBody);
    Policy policy =
        new Policy(
            model,
            Set.copyOf(list(get.apply(ENV_ALLOWED_MODELS))),
            cap,
            list(get.apply(ENV_ALLOWED_ORIGINS)),
            limits,
            modelAliasesFromEnvironment(env));
    return new ProxySettings(
        upstream,
        d.connectTimeout(),
        timeout,
        d.maxRetryAfter(),
        ttl,
        Boolean.parseBoolean(get.apply(ENV_LOG_CONTENT)),
        policy,
        true,
        get.apply(ENV_CLIENT_TOKEN_SHA256) == null
            ? ClientAuth.off()
            : ClientAuth.ofSha256(list(get.apply(ENV_CLIENT_TOKEN_SHA256))),
        allowedHosts,
        LimitsSettings.fromEnvironment(env));
  }

  /** The inverse of {@link #fromEnvironment}: what deploy puts into the function's environment. */
  public Map<String, String> toEnvironment() {
    var env = new java.util.TreeMap<String, String>();
    env.put(ENV_UPSTREAM_URL, upstreamUrl.toString());
    env.put(ENV_DEFAULT_MODEL, policy.defaultModel());
    if (!policy.allowedModels().isEmpty()) {
      env.put(
          ENV_ALLOWED_MODELS, String.join(",", new java.util.TreeSet<>(policy.allowedModels())));
    }
    if (policy.maxTokensCap() != null) {
      env.put(ENV_MAX_TOKENS_CAP, policy.maxTokensCap().toString());
    }
    if (!policy.allowedOrigins().isEmpty()) {
      env.put(ENV_ALLOWED_ORIGINS, String.join(",", policy.allowedOrigins()));
    }
    if (policy.limits().maxBodyBytes() != Policy.Limits.DEFAULT_MAX_BODY_BYTES) {
      env.put(ENV_MAX_BODY_BYTES, Integer.toString(policy.limits().maxBodyBytes()));
    }
    if (clientAuth.enabled()) {
      env.put(ENV_CLIENT_TOKEN_SHA256, String.join(",", clientAuth.hexHashes()));
    }
    if (logContent) {
      env.put(ENV_LOG_CONTENT, "true");
    }
    if (!secretTtl.equals(defaults().secretTtl())) {
      env.put(ENV_SECRET_TTL_SECONDS, Long.toString(secretTtl.toSeconds()));
    }
    if (!allowedUpstreamHosts.isEmpty()) {
      env.put(ENV_UPSTREAM_ALLOWED_HOSTS, String.join(",", allowedUpstreamHosts));
    }
    env.putAll(limits.toEnvironment());
    if (!policy.modelAliases().isEmpty()) {
      env.put(ENV_MODEL_ALIASES, ModelAliases.format(policy.modelAliases()));
    }
    return env;
  }

  /**
   * The aliases {@value #ENV_MODEL_ALIASES} holds ({@code NAME=MODEL,...}); empty when unset.
   *
   * @throws IllegalArgumentException naming the variable and the entry that is wrong
   */
  public static java.util.Map<String, String> modelAliasesFromEnvironment(Map<String, String> env) {
    try {
      return ModelAliases.parse(list(blankToNull(env.get(ENV_MODEL_ALIASES))));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_MODEL_ALIASES + ": " + e.getMessage(), e);
    }
  }

  private static List<String> list(String csv) {
    if (csv == null) {
      return List.of();
    }
    return List.copyOf(
        new LinkedHashSet<>(
            Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
  }

  private static int parsePositive(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        name + " must be a positive whole number, not '" + value + "'");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
