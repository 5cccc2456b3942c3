package dev.novaproxy.cli;

import dev.novaproxy.config.Setting;
import dev.novaproxy.config.Settings;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    header = "Save a setting in the config file.",
    description = {
      "Saves KEY=VALUE in the config file (created with mode 0600). KEY is one of the names",
      "'config show' lists; lists take comma-separated values. The Nova key is never saved here:",
      "use 'novaproxy setup' (Secrets Manager) or NOVA_API_KEY. A bad value is refused and the",
      "file left as it was.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy config set region us-east-1",
      "  novaproxy config set allowModels nova-2-lite-v1,nova-2-pro-v1",
      "  novaproxy config set clientTokenSha256 <hash from 'novaproxy token'>"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Saved.",
      "1:The file cannot be written.",
      "2:Usage error: an unknown setting, a key, or a bad value (the file is left as it was)."
    })
final class ConfigSetCommand implements Callable<Integer> {
  private static final List<String> NUMBERS = List.of("maxTokensCap", "maxBodyBytes", "port");

  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Parameters(
      index = "0",
      paramLabel = "KEY",
      description = "The setting, e.g. region (see 'config show').")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE", description = "Its value.")
  String value;

  @Override
  public Integer call() {
    Setting setting = known(key);
    String v = value.strip();
    if (v.isEmpty()) {
      throw CliException.usage(
          "The value is empty; to remove "
              + setting.key()
              + " run 'novaproxy config unset "
              + setting.key()
              + "'.");
    }
    String problem = setting.problem(v);
    if (problem != null) {
      throw CliException.usage("Not saved: " + problem + ".");
    }
    var file = ConfigCommand.settings(spec).file();
    file.update(
        c -> {
          if (setting.list()) {
            var array = c.putArray(setting.key());
            Arrays.stream(v.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .forEach(array::add);
          } else if (NUMBERS.contains(setting.key())) {
            c.put(setting.key(), number(v));
          } else {
            c.put(setting.key(), v);
          }
        });
    if (global.json()) {
      Json.print(
          spec.commandLine().getOut(),
          Json.object()
              .put("key", setting.key())
              .put("value", v)
              .put("configFile", file.path().toString()));
    } else {
      spec.commandLine()
          .getOut()
          .println("Saved " + setting.key() + " = " + v + " in " + file.path());
    }
    return ExitCodes.OK;
  }

  /** The setting named, or a usage error that lists the names (and refuses anything key-like). */
  static Setting known(String key) {
    return Settings.byKey(key)
        .orElseThrow(
            () ->
                Settings.looksSecret(key)
                    ? CliException.usage(
                        "The config file never holds the Nova key or other credentials; store the key with 'novaproxy setup' or set NOVA_API_KEY.")
                    : CliException.usage(
                        "Unknown setting '"
                            + key
                            + "'; choose one of "
                            + Settings.ALL.stream()
                                .map(Setting::key)
                                .collect(Collectors.joining(", "))
                            + "."));
  }

  /** A number the setting's check has already accepted, saved as a JSON number. */
  private static int number(String v) {
    return Integer.parseInt(v);
  }
}
