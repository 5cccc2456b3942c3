package dev.novaproxy.cli.rollout;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Rollouts;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.cli.GlobalOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    header = "Finish a canary: the new version gets all the traffic.",
    sortOptions = false,
    description = {
      "'novaproxy deploy --canary PERCENT' publishes a new version but keeps the old one live,"
          + " sending PERCENT%% of the requests to the new one. Watch it ('novaproxy status', the"
          + " function's logs), then promote it: 'live' points at the new version and the split"
          + " ends. To drop the canary instead, run 'novaproxy rollback'."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy deploy --canary 10    new version gets 10%% of the requests",
      "  novaproxy status                shows the canary in progress",
      "  novaproxy promote               new version gets them all"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Promoted.",
      "1:The operation failed, or there is no canary to promote.",
      "2:Usage error.",
      "3:Not deployed.",
      "5:AWS credentials, region or permission problem."
    })
public final class PromoteCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    AwsContext ctx = AwsContext.resolve(global, null);
    Rollouts.Move move;
    try (var aws = new AwsClients(ctx.location())) {
      move = new Rollouts(aws).promote(ctx.names());
    }
    MoveReport.print(spec.commandLine().getOut(), global.json(), ctx, move);
    return ExitCodes.OK;
  }
}
