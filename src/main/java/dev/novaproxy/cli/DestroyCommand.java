package dev.novaproxy.cli;

import dev.novaproxy.aws.Action;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.Teardown;
import dev.novaproxy.config.ConfigFile;
import java.io.Console;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "destroy",
    mixinStandardHelpOptions = true,
    header = "Delete what deploy created (the secret only if asked).",
    description =
        "Delete what deploy created, in reverse order: the HTTP API, the permission, the alias and versions with the function, the role's policies and the role. The secret is kept unless --delete-secret. Asks for confirmation on a terminal; needs --yes otherwise. Running it twice is fine.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy destroy                                 asks first",
      "  novaproxy destroy --yes                           in a script",
      "  novaproxy destroy --yes --delete-secret -o json   everything, the key too"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Deleted, or nothing was there.",
      "1:The operation failed (re-run to finish).",
      "2:Usage error, or not confirmed.",
      "5:AWS credentials, region or permission problem."
    })
public final class DestroyCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = {"-y", "--yes"},
      description = "Do not ask for confirmation (needed when not on a terminal).")
  boolean yes;

  @Option(
      names = "--delete-secret",
      description =
          "Also delete the secret holding the Nova key (at once, without a recovery window).")
  boolean deleteSecret;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "The secret to delete with --delete-secret (default: the saved one).")
  String secretName;

  @Override
  public Integer call() {
    AwsContext ctx = AwsContext.resolve(global, secretName);
    confirm(ctx);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<PlanStep> steps;
    try (var aws = new AwsClients(ctx.location())) {
      steps =
          new Teardown(aws)
              .run(
                  ctx.names(),
                  ctx.secretName(),
                  deleteSecret,
                  line -> {
                    err.println(line);
                    err.flush();
                  });
    }
    if (ctx.names().name().equals(ctx.config().get(ConfigFile.NAME))) {
      ctx.config().update(c -> c.remove(ConfigFile.URL));
    }
    long deleted = steps.stream().filter(s -> s.action() == Action.DELETE).count();
    if (global.json()) {
      var o =
          Json.object()
              .put("name", ctx.names().name())
              .put("region", ctx.location().region())
              .put("secretKept", !deleteSecret);
      var d = o.putArray("deleted");
      var n = o.putArray("notFound");
      steps.forEach(
          s ->
              (s.action() == Action.DELETE ? d : n)
                  .addObject()
                  .put("resource", s.resource())
                  .put("name", s.name()));
      Json.print(out, o);
    } else {
      out.println(
          deleted == 0
              ? "Nothing to delete: "
                  + ctx.names().name()
                  + " is not deployed in "
                  + ctx.location().region()
                  + "."
              : "Destroyed " + ctx.names().name() + " in " + ctx.location().region() + ".");
      out.flush();
    }
    return ExitCodes.OK;
  }

  private void confirm(AwsContext ctx) {
    if (yes) {
      return;
    }
    Console console = System.console();
    if (console == null) {
      throw CliException.usage(
          "destroy deletes AWS resources; pass --yes to confirm when not on a terminal.");
    }
    String what =
        "the deployment '"
            + ctx.names().name()
            + "' in "
            + ctx.location().region()
            + (deleteSecret ? " and the secret " + ctx.secretName() : "");
    String answer = console.readLine("Delete %s? Type 'yes' to confirm: ", what);
    if (answer == null || !answer.strip().equalsIgnoreCase("yes")) {
      throw CliException.usage("Not confirmed; nothing was deleted.");
    }
  }
}
