package dev.novaproxy.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code novaproxy help [COMMAND...]}. Picocli's own HelpCommand takes one name, so it cannot reach
 * {@code config set}, and its help has no examples or exit codes as every command's here has.
 */
@Command(
    name = "help",
    helpCommand = true,
    mixinStandardHelpOptions = true,
    header = "Print a command's help.",
    description = {
      "Prints the same help as 'novaproxy COMMAND --help'; with no COMMAND, novaproxy's own.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  novaproxy help deploy", "  novaproxy help config set"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:Printed.", "2:Usage error: no such command."})
final class HelpCommand implements IHelpCommandInitializable2, Callable<Integer> {
  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The command, e.g. deploy, or config set.")
  List<String> names = new ArrayList<>();

  private CommandLine self;
  private ColorScheme colors;
  private PrintWriter out;

  @Override
  public void init(
      CommandLine helpCommand, ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
    this.self = helpCommand;
    this.colors = colorScheme;
    this.out = out;
  }

  @Override
  public Integer call() {
    CommandLine target = self.getParent();
    for (String name : names) {
      CommandLine sub = target.getSubcommands().get(name);
      if (sub == null) {
        throw new ParameterException(
            self,
            "Unknown command '"
                + String.join(" ", names)
                + "'; choose one of "
                + String.join(", ", target.getSubcommands().keySet())
                + ".");
      }
      target = sub;
    }
    target.usage(out, colors);
    return ExitCodes.OK;
  }
}
