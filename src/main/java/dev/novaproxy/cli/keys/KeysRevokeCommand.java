package dev.novaproxy.cli.keys;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.CliException;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.cli.GlobalOptions;
import dev.novaproxy.cli.Json;
import dev.novaproxy.limits.ClientKey;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    header = "Revoke a client key: the proxy refuses it within a minute.",
    description = {
      "Marks the key revoked. The function caches a key for at most 60 s, so within a minute",
      "every instance refuses it. It stays in 'keys list' with its usage, and its name stays",
      "taken. Revoking a revoked key changes nothing.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  novaproxy keys revoke web-app", "  novaproxy keys revoke web-app -o json"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Revoked (or already revoked).",
      "1:The operation failed.",
      "2:Usage error.",
      "3:No key of that name, or no keys table (run deploy first).",
      "5:AWS credentials, region or permission problem."
    })
public final class KeysRevokeCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The key's name.")
  String name;

  @Override
  public Integer call() {
    AwsContext ctx = AwsContext.resolve(global, null);
    ClientKey before;
    ClientKey after;
    try (var aws = new AwsClients(ctx.location())) {
      var store = new KeysTable(aws, Backoff.iamPropagation()).open(ctx.names());
      before =
          store
              .keyNamed(name)
              .orElseThrow(
                  () ->
                      CliException.notFound(
                          "No key named "
                              + name
                              + " in "
                              + store.table()
                              + "; 'novaproxy keys list' shows the keys."));
      if (before.revoked() == null) {
        store.revokeKey(name, Instant.now().truncatedTo(ChronoUnit.MILLIS));
      }
      after = store.keyNamed(name).orElse(before);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      Json.print(
          out,
          Json.object()
              .put("name", name)
              .put("revoked", after.revoked() == null ? null : after.revoked().toString())
              .put("alreadyRevoked", before.revoked() != null));
      return ExitCodes.OK;
    }
    out.println(
        before.revoked() != null
            ? "Key " + name + " was already revoked on " + before.revoked() + "."
            : "Revoked key "
                + name
                + "; the proxy refuses it within a minute (keys are cached for at most 60 s).");
    out.flush();
    return ExitCodes.OK;
  }
}
