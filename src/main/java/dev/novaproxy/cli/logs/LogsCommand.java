package dev.novaproxy.cli.logs;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.FunctionLogs;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.CliException;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.cli.GlobalOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    header = "Show the deployed proxy's requests from its CloudWatch log.",
    sortOptions = false,
    description = {
      "Reads the function's log group (/aws/lambda/NAME-proxy) and prints one line per request:",
      "time, request id, status, method and path, model, latency (and Nova's), tokens, error code.",
      "With -o json, the proxy's JSON lines as written (with their EMF metrics). Lambda's own",
      "START/END/REPORT lines are left out. Never message content, unless the deployment logs it.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy logs                          the last hour",
      "  novaproxy logs --since 15m --errors     status 400 or more, warnings, errors",
      "  novaproxy logs --follow                 new lines as they come; Ctrl-C stops",
      "  novaproxy logs --request-id ID --since 2d    one request",
      "  novaproxy logs -o json                  the JSON lines as the function wrote them"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Printed (also when nothing matched, except with --request-id).",
      "1:The operation failed.",
      "2:Usage error: a bad --since or --request-id.",
      "3:No log group yet (deploy first, or no request yet), or no such request id.",
      "5:AWS credentials, region or permission problem."
    })
public final class LogsCommand implements Callable<Integer> {
  /** How often --follow asks CloudWatch (FilterLogEvents allows a few calls a second). */
  static final Duration POLL = Duration.ofSeconds(2);

  // CloudWatch's JSON filter syntax: what --errors asks the service for. The lines are checked
  // again here, since emulators (moto) treat JSON patterns as matching everything.
  private static final String ERRORS_PATTERN =
      "{ $.status >= 400 || $.level = \"warn\" || $.level = \"error\" }";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{8,128}");

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "How far back: a duration (30s, 15m, 1h, 2d) or an ISO-8601 instant (default: ${DEFAULT-VALUE}).")
  String since = "1h";

  @Option(
      names = {"-f", "--follow"},
      description = "Keep reading and print new lines as they arrive, until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description = "Only this request (the x-request-id of its response); exit 3 if not found.")
  String requestId;

  @Option(
      names = "--errors",
      description = "Only error answers (status 400 or more) and logged warnings and errors.")
  boolean errors;

  @Override
  public Integer call() {
    if (follow && requestId != null) {
      throw CliException.usage(
          "--request-id finds one past request; drop --follow (or widen --since).");
    }
    if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
      throw CliException.usage(
          "--request-id '"
              + requestId
              + "' is not a request id: copy the x-request-id header of the response"
              + " (8 to 128 letters, digits, '.', '_', ':' or '-').");
    }
    Instant now = Instant.now();
    Instant from = Since.parse(since, now);
    AwsContext ctx = AwsContext.resolve(global, null);
    PrintWriter out = spec.commandLine().getOut();
    LogPrinter printer = new LogPrinter(out, global.json(), which());
    try (var aws = new AwsClients(ctx.location())) {
      FunctionLogs logs = new FunctionLogs(aws, ctx.names());
      if (follow) {
        try {
          logs.follow(from, pattern(), printer, POLL);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
      }
      logs.read(from, null, pattern(), printer);
      if (requestId != null && printer.printed() == 0) {
        throw CliException.notFound(
            "No request "
                + requestId
                + " in "
                + logs.group()
                + " since "
                + from
                + "; widen --since (e.g. --since 7d), or check the id and --name/--region.");
      }
      if (printer.printed() == 0) {
        // On standard error, so that a pipe reading the lines gets none.
        spec.commandLine()
            .getErr()
            .println(
                "No "
                    + (errors ? "failed " : "")
                    + "requests in "
                    + logs.group()
                    + " since "
                    + from
                    + "; widen --since (e.g. --since 1d) to look further back.");
      }
    }
    return ExitCodes.OK;
  }

  /** What CloudWatch is asked to match (null: everything). */
  private String pattern() {
    if (requestId != null) {
      return "\"" + requestId + "\"";
    }
    return errors ? ERRORS_PATTERN : null;
  }

  /** Which lines are printed, checked here whatever the service matched. */
  private Predicate<LogLine> which() {
    if (requestId != null) {
      return line -> requestId.equals(line.requestId());
    }
    if (errors) {
      return LogLine::problem;
    }
    return line -> !line.platform();
  }
}
