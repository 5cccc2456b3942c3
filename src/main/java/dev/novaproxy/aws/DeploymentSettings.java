package dev.novaproxy.aws;

import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ModelAliases;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.UpstreamUrl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A deployment's desired state: every policy and sizing setting that deploy writes. It outlives one
 * command line: deploy starts from what is deployed (or what an earlier deploy saved) and flags
 * change it, so a setting is never dropped because a flag was not repeated.
 *
 * <p>The proxy's part travels as the function's environment ({@link ProxySettings#toEnvironment}),
 * which is also how it is read back from a deployed function and how it is saved in the config
 * file: one codec, so the three cannot disagree.
 */
public record DeploymentSettings(
    Arch arch,
    int memoryMb,
    int timeoutSeconds,
    boolean snapStart,
    double throttleRate,
    int throttleBurst,
    boolean streamUrl,
    ProxySettings proxy,
    boolean keys,
    LimitsSettings limits,
    MonitoringSettings monitoring,
    DomainSetting domain) {

  public enum Arch {
    arm64,
    x86_64
  }

  /**
   * 256 MB: twice the peak resident memory measured under typical work at this size, keys and
   * limits on (bench/lambda-memory; the figures are in docs/benchmarks.md). A deployed function
   * keeps its size on a redeploy: this applies only to new deployments.
   */
  public static final int DEFAULT_MEMORY_MB = 256;

  /** Long enough for long answers on the stream URL; the HTTP API door still stops at 30 s. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 300;

  /** Lambda's own limit. */
  public static final int MAX_TIMEOUT_SECONDS = 900;

  /** API Gateway's limit on an HTTP API integration: the buffered door never waits longer. */
  public static final int API_TIMEOUT_SECONDS = 30;

  public static final double DEFAULT_THROTTLE_RATE = 10;
  public static final int DEFAULT_THROTTLE_BURST = 20;

  /**
   * {@code keys}: whether the deployment has a keys table (its name follows from the deployment's,
   * so {@code limits} never names one: {@link Deployment#environment} adds it).
   */
  public DeploymentSettings {
    Objects.requireNonNull(arch);
    Objects.requireNonNull(proxy);
    Objects.requireNonNull(limits);
    Objects.requireNonNull(monitoring);
    // One source for the limits: this record's, never the proxy part's (read back from the same
    // environment), so that removing a limit cannot leave the old value behind in the proxy's.
    proxy = proxy.withLimits(LimitsSettings.off());
    limits =
        new LimitsSettings(
            null,
            limits.anonymous(),
            limits.anonymousRpm(),
            limits.anonymousTokensPerDay(),
            limits.dailyTokenBudget());
  }

  /**
   * With the default monitoring (no alarms, logs kept 30 days) and no custom domain, as before they
   * existed.
   */
  public DeploymentSettings(
      Arch arch,
      int memoryMb,
      int timeoutSeconds,
      boolean snapStart,
      double throttleRate,
      int throttleBurst,
      boolean streamUrl,
      ProxySettings proxy,
      boolean keys,
      LimitsSettings limits) {
    this(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        proxy,
        keys,
        limits,
        MonitoringSettings.defaults(),
        null);
  }

  /** A deployment without client keys or limits, as before they existed. */
  public DeploymentSettings(
      Arch arch,
      int memoryMb,
      int timeoutSeconds,
      boolean snapStart,
      double throttleRate,
      int throttleBurst,
      boolean streamUrl,
      ProxySettings proxy) {
    this(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        proxy,
        false,
        LimitsSettings.off());
  }

  /**
   * A new deployment's settings: a keys table (so that {@code keys create} works at once),
   * anonymous callers allowed and no limits, so that nothing changes for callers until the owner
   * says so.
   */
  public static DeploymentSettings defaults() {
    return new DeploymentSettings(
        Arch.arm64,
        DEFAULT_MEMORY_MB,
        DEFAULT_TIMEOUT_SECONDS,
        true,
        DEFAULT_THROTTLE_RATE,
        DEFAULT_THROTTLE_BURST,
        true,
        ProxySettings.defaults(),
        true,
        LimitsSettings.off());
  }

  public DeploymentSettings withProxy(ProxySettings p) {
    return new DeploymentSettings(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        p,
        keys,
        limits,
        monitoring,
        domain);
  }

  public DeploymentSettings withKeys(boolean on, LimitsSettings l) {
    return new DeploymentSettings(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        proxy,
        on,
        l,
        monitoring,
        domain);
  }

  public DeploymentSettings withMonitoring(MonitoringSettings m) {
    return new DeploymentSettings(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        proxy,
        keys,
        limits,
        m,
        domain);
  }

  /** The same settings with this custom domain (null: none). */
  public DeploymentSettings withDomain(DomainSetting d) {
    return new DeploymentSettings(
        arch,
        memoryMb,
        timeoutSeconds,
        snapStart,
        throttleRate,
        throttleBurst,
        streamUrl,
        proxy,
        keys,
        limits,
        monitoring,
        d);
  }

  /** The budget the function enforces (it needs the keys table to count), else null. */
  public Long enforcedDailyTokenBudget() {
    return keys ? limits.dailyTokenBudget() : null;
  }

  /**
   * Each setting by the name users know it by (the config file's keys), as text: the plan, {@code
   * config show} and JSON output print these. Client-token hashes are shown abbreviated: they are
   * not secrets, but a plan line is no place for 64 hex digits.
   */
  public Map<String, String> describe() {
    Policy p = proxy.policy();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("arch", arch.name());
    m.put("memory", memoryMb + " MB");
    m.put("timeout", timeoutSeconds + " s");
    m.put("snapStart", snapStart ? "on" : "off");
    m.put("throttleRate", number(throttleRate) + "/s");
    m.put("throttleBurst", Integer.toString(throttleBurst));
    m.put("streamUrl", streamUrl ? "on" : "off");
    m.put("upstreamUrl", proxy.upstreamUrl().toString());
    m.put(
        "allowUpstreamHosts",
        proxy.allowedUpstreamHosts().isEmpty() ? "none" : proxy.allowedUpstreamHosts().toString());
    m.put("defaultModel", p.defaultModel());
    m.put(
        "allowModels", p.allowedModels().isEmpty() ? "any" : sorted(p.allowedModels()).toString());
    m.put(
        "modelAliases",
        p.modelAliases().isEmpty() ? "none" : ModelAliases.format(p.modelAliases()));
    m.put("maxTokensCap", p.maxTokensCap() == null ? "none" : p.maxTokensCap().toString());
    m.put("allowOrigins", p.allowedOrigins().isEmpty() ? "none" : p.allowedOrigins().toString());
    m.put("maxBodyBytes", Integer.toString(p.limits().maxBodyBytes()));
    m.put("clientTokens", clientTokens());
    m.put("logContent", proxy.logContent() ? "on" : "off");
    m.put("keys", keys ? "on" : "off");
    m.put("anonymous", limits.anonymous() ? "allow" : "deny");
    m.put("anonymousRpm", orNone(limits.anonymousRpm()));
    m.put("anonymousTokensPerDay", orNone(limits.anonymousTokensPerDay()));
    m.put("dailyTokenBudget", orNone(limits.dailyTokenBudget()));
    m.put("alarmEmail", monitoring.alarms() ? monitoring.alarmEmail() : "none");
    m.put("logRetention", MonitoringSettings.retention(monitoring.logRetentionDays()));
    m.put("domain", domain == null ? "none" : domain.describe());
    return m;
  }

  private static String orNone(Number n) {
    return n == null ? "none" : n.toString();
  }

  /** What differs from {@code before}, one line each: "maxTokensCap 500 -> none". */
  public List<String> changesFrom(DeploymentSettings before) {
    Map<String, String> old = before.describe();
    Map<String, String> now = describe();
    List<String> out = new ArrayList<>();
    for (String k : now.keySet()) {
      String a = old.get(k);
      String b = now.get(k);
      if (!a.equals(b)) {
        out.add(k + " " + a + " -> " + b);
      }
    }
    return out;
  }

  /**
   * The changes from {@code before} that let more callers in or let them spend more: these are
   * printed as warnings, since a protected proxy becoming an open one is the costliest mistake.
   */
  public List<String> openingsFrom(DeploymentSettings before) {
    Policy was = before.proxy.policy();
    Policy now = proxy.policy();
    List<String> w = new ArrayList<>();
    if (before.proxy.clientAuth().enabled() && !proxy.clientAuth().enabled()) {
      w.add("client tokens are removed: anyone with the URL can call the proxy");
    }
    if (!was.allowedOrigins().contains("*") && now.allowedOrigins().contains("*")) {
      w.add("allowed origins widen to '*': any web page can call the proxy from a browser");
    }
    if (was.maxTokensCap() != null && now.maxTokensCap() == null) {
      w.add("the max-tokens cap is removed: a request may ask for as many tokens as Nova allows");
    } else if (was.maxTokensCap() != null && now.maxTokensCap() > was.maxTokensCap()) {
      w.add("the max-tokens cap rises from " + was.maxTokensCap() + " to " + now.maxTokensCap());
    }
    if (!was.allowedModels().isEmpty() && now.allowedModels().isEmpty()) {
      w.add("the allowed-models list is removed: clients may ask for any model");
    }
    if (!proxy.upstreamUrl().equals(before.proxy.upstreamUrl())
        && UpstreamUrl.isExplicitlyAllowedHost(proxy.upstreamUrl())) {
      w.add(UpstreamUrl.warning(proxy.upstreamUrl()).replaceFirst("^warning: ", ""));
    }
    if (streamUrl && !before.streamUrl) {
      w.add(
          "a stream URL is added: a second public URL, without the stage's throttling (the"
              + " proxy's client policy and the function's concurrency limit it)");
    }
    w.addAll(limitOpenings(before));
    if (before.monitoring.alarms() && !monitoring.alarms()) {
      w.add("the alarms are removed: nobody is told of errors, throttling or spend");
    }
    if (throttleRate > before.throttleRate || throttleBurst > before.throttleBurst) {
      w.add(
          "stage throttling rises from "
              + number(before.throttleRate)
              + "/s (burst "
              + before.throttleBurst
              + ") to "
              + number(throttleRate)
              + "/s (burst "
              + throttleBurst
              + ")");
    }
    return w;
  }

  /** The client-key and limit changes that let more callers in or let them spend more. */
  private List<String> limitOpenings(DeploymentSettings before) {
    LimitsSettings was = before.limits;
    List<String> w = new ArrayList<>();
    if (before.keys && !keys) {
      w.add("client keys are turned off: no key is checked, and every caller is anonymous");
    }
    if (!was.anonymous() && limits.anonymous()) {
      w.add("anonymous callers are allowed: anyone with the URL can call without a client key");
    }
    raised(w, "the anonymous per-IP rate", was.anonymousRpm(), limits.anonymousRpm(), "/min");
    raised(
        w,
        "the anonymous per-IP daily tokens",
        was.anonymousTokensPerDay(),
        limits.anonymousTokensPerDay(),
        "");
    raised(w, "the daily token budget", was.dailyTokenBudget(), limits.dailyTokenBudget(), "");
    return w;
  }

  private static void raised(List<String> w, String what, Number was, Number now, String unit) {
    if (was != null && now == null) {
      w.add(what + " is removed: no limit" + (what.contains("budget") ? " on the spend" : ""));
    } else if (was != null && now.longValue() > was.longValue()) {
      w.add(what + " rises from " + was + unit + " to " + now + unit);
    }
  }

  private String clientTokens() {
    List<String> hashes = proxy.clientAuth().hexHashes();
    if (hashes.isEmpty()) {
      return "none";
    }
    List<String> shown = new ArrayList<>();
    for (String h : new TreeSet<>(hashes)) {
      shown.add(h.substring(0, 8) + "…");
    }
    return hashes.size() + " (" + String.join(", ", shown) + ")";
  }

  private static List<String> sorted(java.util.Collection<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }

  static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
