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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "usage",
    mixinStandardHelpOptions = true,
    header = "Tokens used per key and UTC day.",
    description = {
      "The tokens (prompt and answer, as Nova reported them) each key used on each of the last",
      "days, today included, and the whole deployment's where a daily budget counts them. Counters",
      "expire (DynamoDB TTL), so days before the oldest kept counter read 0.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy keys usage                    every key, the last 7 days",
      "  novaproxy keys usage web-app --days 30",
      "  novaproxy keys usage -o json"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Shown.",
      "1:The operation failed.",
      "2:Usage error.",
      "3:No key of that name, or no keys table (run deploy first).",
      "5:AWS credentials, region or permission problem."
    })
public final class KeysUsageCommand implements Callable<Integer> {
  static final int MAX_DAYS = 366;

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "One key's usage (default: every key's).")
  String name;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "How many days back, today included (default: ${DEFAULT-VALUE}).")
  int days = 7;

  @Override
  public Integer call() {
    if (days < 1 || days > MAX_DAYS) {
      throw CliException.usage("--days must be between 1 and " + MAX_DAYS + ", not " + days + ".");
    }
    AwsContext ctx = AwsContext.resolve(global, null);
    String table;
    List<String> names = new ArrayList<>();
    KeyCounters usage;
    try (var aws = new AwsClients(ctx.location())) {
      var store = new KeysTable(aws, Backoff.iamPropagation()).open(ctx.names());
      table = store.table();
      if (name != null) {
        store
            .keyNamed(name)
            .orElseThrow(
                () ->
                    CliException.notFound(
                        "No key named "
                            + name
                            + " in "
                            + table
                            + "; 'novaproxy keys list' shows the keys."));
        names.add(name);
      } else {
        store.listKeys().stream().map(ClientKey::name).forEach(names::add);
      }
      usage = new KeyCounters(store.counters());
    }
    LocalDate today = LocalDate.ofInstant(Instant.now(), ZoneOffset.UTC);
    List<LocalDate> period = new ArrayList<>();
    for (int i = days - 1; i >= 0; i--) {
      period.add(today.minusDays(i));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      var o =
          Json.object()
              .put("table", table)
              .put("from", period.get(0).toString())
              .put("to", today.toString());
      var keys = o.putArray("keys");
      for (String n : names) {
        var k = keys.addObject().put("name", n);
        var perDay = k.putArray("days");
        long total = 0;
        for (LocalDate d : period) {
          long t = usage.tokens(n, d);
          total += t;
          perDay.addObject().put("day", d.toString()).put("tokens", t);
        }
        k.put("tokens", total);
      }
      if (name == null) {
        var all = o.putArray("deployment");
        for (LocalDate d : period) {
          if (usage.deployment.containsKey(d)) {
            all.addObject().put("day", d.toString()).put("tokens", usage.deployment.get(d));
          }
        }
      }
      Json.print(out, o);
      return ExitCodes.OK;
    }
    out.printf("Tokens per UTC day, %s to %s, from %s:%n", period.get(0), today, table);
    out.printf("%-20s %-10s %12s%n", "KEY", "DAY", "TOKENS");
    for (String n : names) {
      long total = 0;
      for (LocalDate d : period) {
        long t = usage.tokens(n, d);
        total += t;
        if (t > 0) {
          out.printf("%-20s %-10s %12d%n", n, d, t);
        }
      }
      out.printf("%-20s %-10s %12d%n", n, "total", total);
    }
    if (name == null) {
      for (LocalDate d : period) {
        if (usage.deployment.containsKey(d)) {
          out.printf("%-20s %-10s %12d%n", "(all callers)", d, usage.deployment.get(d));
        }
      }
    }
    out.flush();
    return ExitCodes.OK;
  }
}
