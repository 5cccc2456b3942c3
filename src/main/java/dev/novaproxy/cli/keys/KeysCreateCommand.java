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
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    header = "Make a client key and print it, once.",
    description = {
      "Makes a key for one app or user, with its own limits, and prints it on standard output:",
      "the only time it is shown (the table keeps its SHA-256). Details go to standard error, so",
      "KEY=$(novaproxy keys create NAME) captures the key alone. Limits left out mean only the",
      "deployment's own apply (its daily budget, allowed models, token cap).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy keys create web-app --rpm 60 --tokens-per-day 200000",
      "  novaproxy keys create partner --models nova-2-lite-v1 --expires 2026-12-31",
      "  novaproxy keys create ci -o json | jq -r .key"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Created; the key is on standard output.",
      "1:A key of that name exists, or the operation failed.",
      "2:Usage error: a bad name, limit or date.",
      "3:No keys table: run deploy first.",
      "5:AWS credentials, region or permission problem."
    })
public final class KeysCreateCommand implements Callable<Integer> {
  /** Names appear in counters, logs and URLs: plain characters only. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description =
          "Who the key is for, unique in the deployment (revoked keys keep their names): letters,"
              + " digits, '.', '_' or '-', at most 64.")
  String name;

  @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute (default: none).")
  Integer rpm;

  @Option(
      names = "--tokens-per-day",
      paramLabel = "N",
      description = "Tokens (prompt and answer) per UTC day (default: none).")
  Long tokensPerDay;

  @Option(
      names = "--models",
      paramLabel = "MODEL",
      split = ",",
      description =
          "The models this key may use, among those the deployment allows (default: all of"
              + " them).")
  List<String> models = List.of();

  @Option(
      names = "--expires",
      paramLabel = "DATE",
      description =
          "The last day (UTC) the key works, e.g. 2026-12-31, or an instant such as"
              + " 2026-12-31T18:00:00Z (default: never).")
  String expires;

  @Override
  public Integer call() {
    NewKey made = NewKey.generate();
    ClientKey key = validate(made.hashHex());
    AwsContext ctx = AwsContext.resolve(global, null);
    String table;
    try (var aws = new AwsClients(ctx.location())) {
      var store = new KeysTable(aws, Backoff.iamPropagation()).open(ctx.names());
      table = store.table();
      try {
        store.createKey(key);
      } catch (IllegalArgumentException exists) {
        throw new CliException(
            ExitCodes.FAILURE,
            "A key named "
                + name
                + " exists in "
                + table
                + " (revoked keys keep their names); choose another name.");
      }
    }
    print(key, made.key(), table);
    return ExitCodes.OK;
  }

  private ClientKey validate(String hashHex) {
    if (!NAME.matcher(name).matches()) {
      throw CliException.usage(
          "The key name '"
              + name
              + "' is not allowed: use letters, digits, '.', '_' or '-' (at most 64, starting with"
              + " a letter or digit).");
    }
    if (rpm != null && rpm < 1) {
      throw CliException.usage("--rpm must be at least 1, not " + rpm + ".");
    }
    if (tokensPerDay != null && tokensPerDay < 1) {
      throw CliException.usage("--tokens-per-day must be at least 1, not " + tokensPerDay + ".");
    }
    Set<String> allowed = new LinkedHashSet<>();
    for (String m : models) {
      if (m.isBlank() || !m.strip().matches("[A-Za-z0-9._:/-]+")) {
        throw CliException.usage("--models takes model ids separated by commas, not '" + m + "'.");
      }
      allowed.add(m.strip());
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant until = expires == null ? null : expiry(expires);
    if (until != null && !until.isAfter(now)) {
      throw CliException.usage("--expires " + expires + " is in the past; give a later date.");
    }
    return new ClientKey(name, hashHex, rpm, tokensPerDay, allowed, until, now, null);
  }

  /** A day means to its end (UTC): the key works all of that day. */
  static Instant expiry(String text) {
    try {
      return LocalDate.parse(text.strip()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notADay) {
      try {
        return Instant.parse(text.strip());
      } catch (DateTimeParseException notAnInstant) {
        throw CliException.usage(
            "--expires takes a day such as 2026-12-31 or an instant such as"
                + " 2026-12-31T18:00:00Z, not '"
                + text
                + "'.");
      }
    }
  }

  /** Prints the key once, on standard output; what was made on standard error (or all as JSON). */
  private void print(ClientKey key, String secret, String table) {
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      var o = Json.object().put("name", key.name()).put("key", secret).put("table", table);
      KeysListCommand.limits(o, key);
      Json.print(out, o);
      return;
    }
    out.println(secret);
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "Created key " + key.name() + " in " + table + ": " + KeysListCommand.describe(key) + ".");
    err.println(
        "This is the only time the key is shown: store it now (novaproxy keeps only its SHA-256).");
    err.flush();
  }
}
