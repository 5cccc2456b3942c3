package dev.novaproxy.cli;

import dev.novaproxy.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    header = "Show or change the saved settings.",
    description = {
      "Settings come from flags, then environment variables, then the config file",
      "($XDG_CONFIG_HOME/novaproxy/config.json, else ~/.config/novaproxy/config.json; mode 0600),",
      "then defaults. setup and deploy save the region, name, secret name and URL there.",
      "The file never holds the Nova key.",
      ""
    },
    subcommands = {
      ConfigShowCommand.class,
      ConfigSetCommand.class,
      ConfigUnsetCommand.class,
      ConfigPathCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy config show                   every setting, its value, its source",
      "  novaproxy config set region eu-west-1   save a setting",
      "  novaproxy config set allowOrigins https://app.example.com,http://localhost:5173",
      "  novaproxy config unset maxTokensCap     back to the default"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Success.",
      "1:The file cannot be read or written.",
      "2:Usage error: an unknown setting or a bad value."
    })
public final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: choose one of show, set, unset, path.");
  }

  /** The settings this run resolves with (the same the other commands' flags default from). */
  static Settings settings(CommandSpec spec) {
    if (spec.defaultValueProvider() instanceof ConfigDefaults defaults) {
      return defaults.settings();
    }
    throw new IllegalStateException(
        "novaproxy was started without its settings; run it through Main.");
  }
}
