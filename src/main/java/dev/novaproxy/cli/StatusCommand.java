package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.DeploymentStatus;
import dev.novaproxy.aws.RecentMetrics;
import dev.novaproxy.aws.Rollouts;
import dev.novaproxy.aws.SmokeTest;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Show the deployment; with --smoke, check that it answers.",
    sortOptions = false,
    description =
        "Show each resource of the deployment (present or missing, state, version, last change; the log group's retention, each alarm's state), the URL, the newest versions of the function (which is live, a canary in progress, when each was published and what it changed), then the last hour of metrics from CloudWatch: requests, 5xx rate, p50 and p95 latency, tokens. With --smoke, also call GET /health and one real chat turn through the URL; with --smoke --url, check that URL only, without reading AWS (for a pipeline, or a local 'serve').",
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy status                        each resource and the URL",
      "  novaproxy status --smoke                also /health and one real chat turn",
      "  novaproxy status --smoke --url http://127.0.0.1:8080   a local serve, no AWS",
      "  novaproxy status -o json"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Everything is deployed (and, with --smoke, answers).",
      "1:The operation failed.",
      "2:Usage error.",
      "3:Not deployed, or only partly.",
      "4:Unhealthy: a --smoke check failed.",
      "5:AWS credentials, region or permission problem."
    })
public final class StatusCommand implements Callable<Integer> {
  /** How many of the newest versions status lists. */
  static final int VERSIONS_SHOWN = 5;

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--smoke",
      description = "Call GET /health and POST /chat through the URL; exit 4 when either fails.")
  boolean smoke;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "The proxy URL to check with --smoke (default: the deployed one).")
  String url;

  @Option(
      names = "--smoke-timeout",
      paramLabel = "SECONDS",
      description = "How long each smoke call may take (default: ${DEFAULT-VALUE}).")
  int smokeTimeout = 35;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "The secret to report on (default: the saved one, else backend/NovaApiKey).")
  String secretName;

  @Override
  public Integer call() {
    if (url != null && !smoke) {
      throw CliException.usage("--url is for --smoke; add --smoke to check that URL.");
    }
    URI smokeBase = url == null ? null : base(url);
    PrintWriter out = spec.commandLine().getOut();
    ObjectNode json = Json.object();
    DeploymentStatus.Report report = null;
    if (smokeBase == null) {
      AwsContext ctx = AwsContext.resolve(global, secretName);
      RecentMetrics.LastHour hour = null;
      Optional<Rollouts.Versions> versions;
      try (var aws = new AwsClients(ctx.location())) {
        report = new DeploymentStatus(aws).read(ctx.names(), ctx.secretName());
        versions = new Rollouts(aws).versions(report.alias(), ctx.names(), VERSIONS_SHOWN);
        if (report.hasFunction()) {
          hour = new RecentMetrics(aws).lastHour(ctx.names(), Instant.now());
        }
      }
      StatusText.report(report, json, global.json() ? null : out);
      StatusText.versions(versions, json, global.json() ? null : out);
      if (hour != null) {
        StatusText.metrics(hour, json, global.json() ? null : out);
      }
      if (!report.deployed()) {
        return finish(
            out,
            json,
            ExitCodes.NOT_FOUND,
            report.nothingDeployed()
                ? "Not deployed; run 'novaproxy deploy'."
                : "Partly deployed, or a resource is not in a working state (see above); run 'novaproxy deploy' to finish.");
      }
      smokeBase = smoke ? base(report.url()) : null;
    }
    if (smokeBase != null) {
      SmokeTest.Result result = new SmokeTest(Duration.ofSeconds(smokeTimeout)).run(smokeBase);
      StatusText.smoke(result, json, global.json() ? null : out);
      if (!result.healthy()) {
        return finish(
            out, json, ExitCodes.UNHEALTHY, "Unhealthy: a smoke check failed (see above).");
      }
    }
    return finish(out, json, ExitCodes.OK, null);
  }

  private int finish(PrintWriter out, ObjectNode json, int code, String problem) {
    if (global.json()) {
      json.put("exitCode", code);
      Json.print(out, json);
    }
    if (problem != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          spec.commandLine().getColorScheme().errorText("novaproxy: " + problem).toString());
      err.flush();
    }
    return code;
  }

  private static URI base(String url) {
    try {
      return SmokeTest.baseOf(url);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(
          "--url: "
              + e.getMessage()
              + "; give the proxy's URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/chat.");
    }
  }
}
