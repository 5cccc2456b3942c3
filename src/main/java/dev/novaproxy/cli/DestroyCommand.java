package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.Action;
import dev.novaproxy.aws.ApiKeySecret;
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
    header = "Delete what deploy created (the keys table and the secret only if asked).",
    description =
        "Delete what deploy created, in reverse order: the custom domain with its mapping and alias records (and the certificate and validation record when deploy created them, never others), the alarms and their topic, the HTTP API, the permission, the alias and versions with the function, the role's policies and the role. The keys table (client keys and their usage) is kept unless --delete-data is given; it cannot be undone, since keys are stored only as hashes. The secret is kept unless --delete-secret is given, and also when setup did not create it (adopted with setup --adopt, or made elsewhere); a deleted secret can be restored for 7 days. The function's log group is kept, its logs expiring with its retention, unless --delete-logs is given. Asks for confirmation on a terminal; needs --yes otherwise. Running it twice is fine.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy destroy                                 asks first",
      "  novaproxy destroy --yes                           in a script",
      "  novaproxy destroy --yes --delete-secret -o json   the key's secret too",
      "  novaproxy destroy --yes --delete-data --delete-secret   everything"
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
          "Also schedule the secret holding the Nova key for deletion, with a 7-day recovery window ('setup' restores it until then); only a secret setup created, never an adopted one.")
  boolean deleteSecret;

  @Option(
      names = "--delete-data",
      description =
          "Also delete the keys table: every client key and its usage. Keys cannot be recovered"
              + " (only their hashes were stored); clients need new ones after the next deploy.")
  boolean deleteData;

  @Option(
      names = "--delete-logs",
      description =
          "Also delete the function's log group and every log line in it. Without it the group is"
              + " kept, and its logs expire after the retention deploy gave it (30 days unless changed).")
  boolean deleteLogs;

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
    Teardown.Result result;
    try (var aws = new AwsClients(ctx.location())) {
      result =
          new Teardown(aws)
              .run(
                  ctx.names(),
                  ctx.secretName(),
                  deleteSecret,
                  deleteData,
                  deleteLogs,
                  line -> {
                    err.println(line);
                    err.flush();
                  });
    }
    if (ctx.names().name().equals(ctx.config().get(ConfigFile.NAME))) {
      ctx.config()
          .update(
              c -> {
                c.remove(ConfigFile.URL);
                c.remove(ConfigFile.STREAM_URL);
              });
    }
    List<PlanStep> steps = result.steps();
    long deleted = steps.stream().filter(s -> s.action() == Action.DELETE).count();
    if (global.json()) {
      var o =
          Json.object()
              .put("name", ctx.names().name())
              .put("region", ctx.location().region())
              .put("secretKept", action(result.secret()).equals("kept"))
              .put("keysTableKept", result.keysTableKept())
              .put("logGroupKept", result.logGroupKept());
      secretJson(o.putObject("secret"), ctx.secretName(), result.secret());
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

  /** {"name", "action", "reason", "deletionDate"}: what became of the secret, for scripts. */
  private static void secretJson(ObjectNode o, String name, ApiKeySecret.Deletion d) {
    o.put("name", name)
        .put("action", action(d))
        .put("reason", reason(d))
        .put(
            "deletionDate",
            d == null || d.deletionDate() == null ? null : d.deletionDate().toString());
  }

  private static String action(ApiKeySecret.Deletion d) {
    if (d == null) {
      return "kept";
    }
    return switch (d.outcome()) {
      case SCHEDULED, ALREADY_SCHEDULED -> "scheduledForDeletion";
      case NOT_FOUND -> "notFound";
      case KEPT_ADOPTED, KEPT_NOT_OURS -> "kept";
    };
  }

  private static String reason(ApiKeySecret.Deletion d) {
    if (d == null) {
      return "notAsked";
    }
    return switch (d.outcome()) {
      case SCHEDULED, NOT_FOUND -> null;
      case ALREADY_SCHEDULED -> "alreadyScheduled";
      case KEPT_ADOPTED -> "adopted";
      case KEPT_NOT_OURS -> "notOurs";
    };
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
            + (deleteData ? ", its keys table with every client key" : "")
            + (deleteLogs ? ", its logs" : "")
            + (deleteSecret ? " and the secret " + ctx.secretName() : "");
    String answer = console.readLine("Delete %s? Type 'yes' to confirm: ", what);
    if (answer == null || !answer.strip().equalsIgnoreCase("yes")) {
      throw CliException.usage("Not confirmed; nothing was deleted.");
    }
  }
}
