package dev.novaproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    header = "Print the shell completion script for bash or zsh.",
    description = {
      "Prints a script that completes novaproxy's commands and options. The same scripts ship in",
      "completions/ (novaproxy.bash and _novaproxy). zsh's is a native completion function: it",
      "shows each command's and option's description and the choices of a value; put it in a",
      "directory on $fpath before compinit runs, or source it after.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(novaproxy completion bash)                 this bash session",
      "  novaproxy completion bash > /etc/bash_completion.d/novaproxy",
      "  novaproxy completion zsh > ~/.zfunc/_novaproxy      ~/.zfunc on $fpath",
      "  source <(novaproxy completion zsh)                  after compinit"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:Printed.", "2:Usage error: a shell other than bash or zsh."})
final class CompletionCommand implements Callable<Integer> {
  enum Shell {
    bash,
    zsh
  }

  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Parameters(index = "0", paramLabel = "SHELL", description = "${COMPLETION-CANDIDATES}")
  Shell shell;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    String script = shell == Shell.bash ? Completions.bash() : Completions.zsh();
    if (global.json()) {
      Json.print(out, Json.object().put("shell", shell.name()).put("script", script));
      return ExitCodes.OK;
    }
    out.print(script);
    out.flush();
    return ExitCodes.OK;
  }
}
