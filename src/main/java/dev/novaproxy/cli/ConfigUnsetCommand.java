package dev.novaproxy.cli;

import dev.novaproxy.config.Setting;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "unset",
    mixinStandardHelpOptions = true,
    header = "Remove a setting from the config file.",
    description = {
      "Removes KEY from the config file, so the environment or the default applies again.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  novaproxy config unset url"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Removed (or was not set).",
      "1:The file cannot be written.",
      "2:Usage error: an unknown setting."
    })
final class ConfigUnsetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Parameters(
      index = "0",
      paramLabel = "KEY",
      description = "The setting, e.g. url (see 'config show').")
  String key;

  @Override
  public Integer call() {
    Setting setting = ConfigSetCommand.known(key);
    var file = ConfigCommand.settings(spec).file();
    boolean[] removed = {false};
    file.update(c -> removed[0] = c.remove(setting.key()) != null);
    if (global.json()) {
      Json.print(
          spec.commandLine().getOut(),
          Json.object()
              .put("key", setting.key())
              .put("removed", removed[0])
              .put("configFile", file.path().toString()));
    } else {
      spec.commandLine()
          .getOut()
          .println((removed[0] ? "Removed " : "Was not set: ") + setting.key());
    }
    return ExitCodes.OK;
  }
}
