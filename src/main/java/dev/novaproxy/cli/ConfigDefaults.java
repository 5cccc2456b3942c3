package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.config.Setting;
import dev.novaproxy.config.Settings;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives every flag listed in {@link Settings} its default from the environment or the config file,
 * so that commands see one value and never read either themselves. A flag on the command line wins
 * because picocli asks a default provider only for options that were not given.
 *
 * <p>A bad value is not handed to picocli, which would blame it on the flag ("Invalid value for
 * option '--port'") although the user never typed one. It is kept, and {@link #check} reports it
 * when the command is about to run, naming the variable or the file; so {@code --help} still works,
 * and so do the {@code config} commands that mend the file.
 */
final class ConfigDefaults implements IDefaultValueProvider {
  private static final Set<String> AWS_LOCATION = Set.of("region", "profile", "endpointUrl");

  private final Settings settings;
  private final Map<ArgSpec, Settings.Resolved> given = new IdentityHashMap<>();
  private CliException firstProblem;

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
    if (!(arg instanceof OptionSpec option) || arg.command() == null || isConfig(arg.command())) {
      return null;
    }
    Setting setting = Settings.byOption(option.longestName(), arg.command().name()).orElse(null);
    if (setting == null) {
      return null;
    }
    // Region, profile and endpoint: AwsLocation resolves them, because the region depends on the
    // profile, which may be a flag this provider cannot see. Their values are still checked here.
    boolean awsLocation = AWS_LOCATION.contains(setting.key());
    Settings.Resolved r;
    try {
      r = awsLocation ? settings.userValue(setting) : settings.resolve(setting);
    } catch (ConfigFile.Unreadable e) {
      remember(CliException.failure(e.getMessage(), e));
      return null;
    }
    if (r == null || r.source() == Settings.Source.defaults) {
      return null;
    }
    String complaint = Settings.complaint(r);
    if (complaint != null) {
      remember(CliException.usage(complaint));
      return null;
    }
    if (awsLocation) {
      return null;
    }
    if (r.source() == Settings.Source.file
        && arg.command().name().equals("deploy")
        && !setting.key().equals("name")) {
      // A deployment keeps its own settings (deploy reads them back from what is deployed); the
      // file's values are for serve and chat. As standing flags they would undo a change made
      // since, from this machine or another (a rotated client token coming back).
      return null;
    }
    given.put(arg, r);
    return r.value();
  }

  private void remember(CliException problem) {
    if (firstProblem == null) {
      firstProblem = problem;
    }
  }

  /** Throws the first bad value (or unreadable file) met while filling in defaults. */
  void check() {
    if (firstProblem != null) {
      throw firstProblem;
    }
  }

  /**
   * Where an option's value came from, for a message about it: the flag as typed, the environment
   * variable, or the setting in the config file.
   */
  static String origin(CommandSpec spec, String option) {
    OptionSpec o = spec.findOption(option);
    if (o == null || !(spec.defaultValueProvider() instanceof ConfigDefaults defaults)) {
      return option;
    }
    Settings.Resolved r = defaults.given.get(o);
    if (r == null) {
      return option;
    }
    return r.source() == Settings.Source.file
        ? r.setting().key() + " in the config file " + r.origin()
        : r.origin();
  }

  /** The config commands read the settings themselves, and must work while a value is bad. */
  private static boolean isConfig(CommandSpec command) {
    for (CommandSpec c = command; c != null; c = c.parent()) {
      if (c.userObject() instanceof ConfigCommand) {
        return true;
      }
    }
    return false;
  }
}
