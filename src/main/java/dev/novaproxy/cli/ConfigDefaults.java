package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.config.Settings;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives every flag listed in {@link Settings} its default from the environment or the config file,
 * so that commands see one value and never read either themselves. A flag on the command line wins
 * because picocli asks a default provider only for options that were not given.
 */
final class ConfigDefaults implements IDefaultValueProvider {
  private static final java.util.Set<String> AWS_LOCATION =
      java.util.Set.of("region", "profile", "endpointUrl");

  private final Settings settings;

  ConfigDefaults(Map<String, String> env) {
    this(new Settings(env, ConfigFile.forEnvironment(env), AwsLocation::profileRegion));
  }

  ConfigDefaults(Settings settings) {
    this.settings = settings;
  }

  Settings settings() {
    return settings;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || arg.command() == null) {
      return null;
    }
    String command = arg.command().name();
    return Settings.byOption(option.longestName(), command)
        // Region, profile and endpoint: AwsLocation resolves them, because the region depends on
        // the profile, which may be a flag this provider cannot see.
        .filter(s -> !AWS_LOCATION.contains(s.key()))
        .map(s -> settings.resolve(s))
        .filter(r -> r.source() != Settings.Source.defaults)
        .map(Settings.Resolved::value)
        .orElse(null);
  }
}
