package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ProxySettings;
import java.util.Map;

/**
 * The settings an AWS command runs with, resolved once: flags, then environment, then the config
 * file, then defaults.
 */
public record AwsContext(
    AwsLocation location, ResourceNames names, String secretName, ConfigFile config) {
  public static AwsContext resolve(GlobalOptions global, String secretNameFlag) {
    return resolve(global, secretNameFlag, System.getenv(), ConfigFile.forCurrentUser());
  }

  static AwsContext resolve(
      GlobalOptions global, String secretNameFlag, Map<String, String> env, ConfigFile config) {
    AwsLocation location =
        AwsLocation.resolve(
            new AwsLocation.Flags(global.region, global.profile, global.endpointUrl), env, config);
    String name =
        first(global.name, env.get("NOVAPROXY_NAME"), config.get(ConfigFile.NAME), "novaproxy");
    String secret =
        first(
            secretNameFlag, config.get(ConfigFile.SECRET_NAME), ProxySettings.DEFAULT_SECRET_NAME);
    return new AwsContext(location, new ResourceNames(name), secret, config);
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
