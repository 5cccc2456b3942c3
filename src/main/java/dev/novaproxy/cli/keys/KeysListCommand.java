package dev.novaproxy.cli.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.cli.GlobalOptions;
import dev.novaproxy.cli.Json;
import dev.novaproxy.limits.ClientKey;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    header = "List the client keys: limits, state, last use, tokens today.",
    description = {
      "Every key of the deployment, revoked and expired ones included, oldest first: its limits,",
      "state (active, revoked or expired), when it was made and last used, and the tokens it used",
      "today (UTC). Never the key, nor its hash.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  novaproxy keys list", "  novaproxy keys list -o json | jq '.keys[].name'"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Listed (also when there are none).",
      "1:The operation failed.",
      "2:Usage error.",
      "3:No keys table: run deploy first.",
      "5:AWS credentials, region or permission problem."
    })
public final class KeysListCommand implements Callable<Integer> {
  static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    AwsContext ctx = AwsContext.resolve(global, null);
    String table;
    List<ClientKey> keys;
    KeyCounters usage;
    try (var aws = new AwsClients(ctx.location())) {
      var store = new KeysTable(aws, Backoff.iamPropagation()).open(ctx.names());
      table = store.table();
      keys = store.listKeys();
      usage = new KeyCounters(store.counters());
    }
    Instant now = Instant.now();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      var o = Json.object().put("table", table).put("today", today.toString());
      var list = o.putArray("keys");
      for (ClientKey k : keys) {
        var item = list.addObject().put("name", k.name());
        limits(item, k);
        item.put("state", state(k, now))
            .put("revoked", k.revoked() == null ? null : k.revoked().toString())
            .put("lastUsed", usage.lastUsed(k.name()).map(Instant::toString).orElse(null))
            .put("tokensToday", usage.tokens(k.name(), today));
      }
      Json.print(out, o);
      return ExitCodes.OK;
    }
    if (keys.isEmpty()) {
      out.println("No keys in " + table + "; make one with 'novaproxy keys create NAME'.");
      out.flush();
      return ExitCodes.OK;
    }
    String row = "%-20s %-8s %6s %12s %-24s %-16s %-16s %-16s %12s%n";
    out.printf(
        row,
        "NAME",
        "STATE",
        "RPM",
        "TOKENS/DAY",
        "MODELS",
        "EXPIRES",
        "CREATED",
        "LAST USED",
        "TOKENS TODAY");
    for (ClientKey k : keys) {
      out.printf(
          row,
          k.name(),
          state(k, now),
          k.rpm() == null ? "-" : k.rpm(),
          k.tokensPerDay() == null ? "-" : k.tokensPerDay(),
          models(k),
          k.expires() == null ? "never" : MINUTE.format(k.expires()),
          MINUTE.format(k.created()),
          usage.lastUsed(k.name()).map(MINUTE::format).orElse("never"),
          usage.tokens(k.name(), today));
    }
    out.println("Times in UTC; usage from " + table + ".");
    out.flush();
    return ExitCodes.OK;
  }

  static String state(ClientKey k, Instant now) {
    if (k.revoked() != null) {
      return "revoked";
    }
    return k.usableAt(now) ? "active" : "expired";
  }

  /** A key's limits as JSON fields: rpm, tokensPerDay, models, expires, created. */
  static void limits(ObjectNode o, ClientKey k) {
    o.put("rpm", k.rpm())
        .put("tokensPerDay", k.tokensPerDay())
        .put("expires", k.expires() == null ? null : k.expires().toString())
        .put("created", k.created().toString());
    var models = o.putArray("models");
    new TreeSet<>(k.models()).forEach(models::add);
  }

  /** "60 requests/min, 200000 tokens/day, models any, expires never". */
  static String describe(ClientKey k) {
    return (k.rpm() == null ? "no rate limit" : k.rpm() + " requests/min")
        + ", "
        + (k.tokensPerDay() == null ? "no daily token limit" : k.tokensPerDay() + " tokens/day")
        + ", models "
        + models(k)
        + ", expires "
        + (k.expires() == null ? "never" : k.expires().toString());
  }

  private static String models(ClientKey k) {
    return k.models().isEmpty() ? "any" : String.join(",", new TreeSet<>(k.models()));
  }
}
