package dev.novaproxy.cli.rollout;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Rollouts;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.CliException;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.cli.GlobalOptions;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    header = "Point the deployment back at an earlier version, in seconds, without a rebuild.",
    sortOptions = false,
    description = {
      "Every deploy that changes the function publishes a numbered version, and both URLs (the"
          + " HTTP API and the stream URL) call the alias 'live'. rollback moves 'live' back with"
          + " one call: nothing is built or uploaded, and the settings the next deploy starts from"
          + " are those of the version now live.",
      "",
      "Without --to it undoes the last move of 'live' (a deploy, a promote or a rollback --to);"
          + " run it again to go further back. During a canary (deploy --canary) it drops the"
          + " canary instead: the new version gets no more traffic and the old one stays live."
          + " 'novaproxy status' lists the recent versions and what each changed."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy rollback              back to the version live before this one",
      "  novaproxy rollback --to 4       to version 4 (see 'novaproxy status')",
      "  novaproxy rollback -o json"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Rolled back (or --to names the version already live).",
      "1:The operation failed, or there is no earlier version.",
      "2:Usage error.",
      "3:Not deployed, or no such version.",
      "5:AWS credentials, region or permission problem."
    })
public final class RollbackCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--to",
      paramLabel = "VERSION",
      description =
          "The version to make live, a number that 'novaproxy status' lists (default: the"
              + " version live before the current one).")
  String to;

  @Override
  public Integer call() {
    if (to != null && !to.strip().matches("[0-9]+")) {
      throw CliException.usage(
          "--to takes a version number such as 4, not '"
              + to
              + "'; 'novaproxy status' lists the versions.");
    }
    AwsContext ctx = AwsContext.resolve(global, null);
    Rollouts.Move move;
    try (var aws = new AwsClients(ctx.location())) {
      move = new Rollouts(aws).rollback(ctx.names(), Optional.ofNullable(to).map(String::strip));
    }
    MoveReport.print(spec.commandLine().getOut(), global.json(), ctx, move);
    return ExitCodes.OK;
  }
}
