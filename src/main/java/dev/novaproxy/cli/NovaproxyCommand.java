package dev.novaproxy.cli;

import dev.novaproxy.cli.keys.KeysCommand;
import dev.novaproxy.cli.logs.LogsCommand;
import dev.novaproxy.cli.rollout.PromoteCommand;
import dev.novaproxy.cli.rollout.RollbackCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "novaproxy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    header = "A safe way for an application to call the Amazon Nova chat API.",
    description = {
      "Browser and mobile apps must never hold an LLM API key. novaproxy keeps the Nova key in",
      "AWS Secrets Manager and puts a small proxy between your app and the Nova API: on AWS",
      "Lambda behind an API Gateway HTTP API, or on this machine with 'serve'.",
      "",
      "Run 'novaproxy help COMMAND' (or 'novaproxy COMMAND --help') for a command's options."
    },
    subcommands = {
      ServeCommand.class,
      ChatCommand.class,
      SetupCommand.class,
      DeployCommand.class,
      StatusCommand.class,
      DestroyCommand.class,
      KeysCommand.class,
      RollbackCommand.class,
      PromoteCommand.class,
      DoctorCommand.class,
      LogsCommand.class,
      ConfigCommand.class,
      TokenCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy serve                         run the proxy on http://127.0.0.1:8080",
      "  novaproxy chat                          talk to it",
      "  novaproxy setup && novaproxy deploy     store the key and deploy to AWS",
      "  novaproxy help deploy                   deploy's options"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Success.",
      "1:The operation failed.",
      "2:Usage error: a bad option or argument.",
      "3:Not deployed or not found.",
      "4:Unhealthy (status --smoke).",
      "5:AWS credentials, region or permission problem.",
      "6:A doctor check failed."
    })
public final class NovaproxyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "Missing command: choose one of serve, chat, setup, deploy, status, destroy, keys, rollback, promote, doctor, config, token, completion.");
  }
}
