package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.aws.DomainSetting;
import dev.novaproxy.aws.MonitoringSettings;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ProxySettings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each deployment's settings as this machine last deployed them, in the config file under {@code
 * deployments.ACCOUNT.REGION.NAME} (the account too, so that a deployment of the same name in
 * another account, or in an emulator, is another entry): for {@code config show}, and so that a
 * deploy that failed halfway is finished with the settings it was given. What is deployed stays the
 * reference: deploy reads the function first and uses these only while a deploy from here is
 * unfinished, or when nothing is deployed.
 */
final class SavedDeployments {
  static final String KEY = "deployments";

  /**
   * Saved settings; {@code pending} while the deploy that saved them has not finished. {@code
   * canaryPercent} is the share an unfinished {@code deploy --canary} gives its new version (null
   * for a deploy that makes it live, and once finished): the alias holds a canary's share, but not
   * whether a re-run should keep it.
   */
  record Saved(
      DeploymentSettings settings,
      String secretName,
      boolean pending,
      String savedAt,
      Integer canaryPercent) {}

  private final ConfigFile file;

  SavedDeployments(ConfigFile file) {
    this.file = file;
  }

  /** Where one saved entry is. */
  record Where(String account, String region, String name) {}

  /**
   * Every saved deployment in the file's order; an entry that cannot be read is left out and its
   * problem passed to {@code unreadable}, so that {@code config show} still shows the rest.
   */
  Map<Where, Saved> all(java.util.function.Consumer<String> unreadable) {
    Map<Where, Saved> out = new LinkedHashMap<>();
    JsonNode root = file.read().path(KEY);
    for (var account : iterable(root.fieldNames())) {
      for (var region : iterable(root.path(account).fieldNames())) {
        for (var name : iterable(root.path(account).path(region).fieldNames())) {
          try {
            read(account, region, name)
                .ifPresent(s -> out.put(new Where(account, region, name), s));
          } catch (CliException e) {
            unreadable.accept(e.getMessage());
          }
        }
      }
    }
    return out;
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  Optional<Saved> read(String account, String region, String name) {
    JsonNode node = file.read().path(KEY).path(account).path(region).path(name);
    if (!node.isObject()) {
      return Optional.empty();
    }
    try {
      Map<String, String> env = new LinkedHashMap<>();
      node.path("environment")
          .fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      DeploymentSettings d = DeploymentSettings.defaults();
      DeploymentSettings settings =
          new DeploymentSettings(
              DeploymentSettings.Arch.valueOf(node.path("arch").asText(d.arch().name())),
              node.path("memory").asInt(d.memoryMb()),
              node.path("timeout").asInt(d.timeoutSeconds()),
              node.path("snapStart").asBoolean(d.snapStart()),
              node.path("throttleRate").asDouble(d.throttleRate()),
              node.path("throttleBurst").asInt(d.throttleBurst()),
              node.path("streamUrl").asBoolean(d.streamUrl()),
              ProxySettings.fromEnvironment(env),
              // Saved before client keys existed: that deployment had no table.
              node.path("keys").asBoolean(false),
              LimitsSettings.fromEnvironment(env),
              monitoring(node),
              node.path("domain").isTextual()
                  ? DomainSetting.parse(
                      node.path("domain").asText(), node.path("hostedZoneId").asText(null))
                  : null);
      return Optional.of(
          new Saved(
              settings,
              node.path("secretName").asText(null),
              node.path("pending").asBoolean(false),
              node.path("savedAt").asText(null),
              node.path("canaryPercent").isInt() ? node.path("canaryPercent").asInt() : null));
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.FAILURE,
          "The config file "
              + file.path()
              + " has unreadable saved settings for deployment "
              + name
              + " in "
              + region
              + " ("
              + e.getMessage()
              + "); fix or delete the entry "
              + String.join(".", KEY, account, region, name)
              + " in that file.");
    }
  }

  void save(
      String account,
      String region,
      String name,
      DeploymentSettings s,
      String secretName,
      boolean pending,
      Integer canaryPercent) {
    file.update(
        c -> {
          ObjectNode byRegion = object(object(object(c, KEY), account), region);
          ObjectNode o = byRegion.putObject(name);
          o.put("arch", s.arch().name())
              .put("memory", s.memoryMb())
              .put("timeout", s.timeoutSeconds())
              .put("snapStart", s.snapStart())
              .put("throttleRate", s.throttleRate())
              .put("throttleBurst", s.throttleBurst())
              .put("streamUrl", s.streamUrl())
              .put("keys", s.keys())
              .put("domain", s.domain() == null ? null : s.domain().name())
              .put("hostedZoneId", s.domain() == null ? null : s.domain().hostedZoneId())
              .put("secretName", secretName)
              .put("pending", pending)
              .put("savedAt", Instant.now().toString());
          if (canaryPercent != null) {
            o.put("canaryPercent", canaryPercent);
          }
          o.put("alarmEmail", s.monitoring().alarmEmail())
              .put("logRetentionDays", s.monitoring().logRetentionDays());
          ObjectNode env = o.putObject("environment");
          s.proxy().toEnvironment().forEach(env::put);
          s.limits().toEnvironment().forEach(env::put);
        });
  }

  /** Saved before monitoring existed: the defaults. A null retention is "never". */
  private static MonitoringSettings monitoring(JsonNode node) {
    MonitoringSettings d = MonitoringSettings.defaults();
    JsonNode days = node.path("logRetentionDays");
    return new MonitoringSettings(
        node.path("alarmEmail").isTextual() ? node.path("alarmEmail").asText() : null,
        days.isMissingNode() ? d.logRetentionDays() : days.isNull() ? null : days.asInt());
  }

  private static ObjectNode object(ObjectNode parent, String key) {
    JsonNode n = parent.get(key);
    return n instanceof ObjectNode o ? o : parent.putObject(key);
  }
}
