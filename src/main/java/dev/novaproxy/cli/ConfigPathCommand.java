package dev.novaproxy.cli;

import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "path",
    mixinStandardHelpOptions = true,
    header = "Print where the config file is.",
    description = {"Prints the config file's path, whether or not it exists yet.", ""},
    footerHeading = "%nExamples:%n",
    footer = {"  cat \"$(novaproxy config path)\""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:Printed.", "2:Usage error."})
final class ConfigPathCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    var path = ConfigCommand.settings(spec).file().path();
    if (global.json()) {
      Json.print(
          spec.commandLine().getOut(),
          Json.object().put("configFile", path.toString()).put("exists", Files.exists(path)));
    } else {
      spec.commandLine().getOut().println(path);
    }
    return ExitCodes.OK;
  }
}
