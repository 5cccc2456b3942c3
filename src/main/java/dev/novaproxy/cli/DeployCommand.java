package dev.novaproxy.cli;

import dev.novaproxy.aws.Artifact;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.Deployment;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.UpstreamUrl;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.lambda.model.Architecture;

@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    header = "Deploy the proxy to AWS Lambda and print its URL.",
    sortOptions = false,
    description =
        "Create or update the IAM role, the Lambda function (version and alias 'live') and the HTTP API; wait until they are ready; print the URL. Running it again with the same inputs changes nothing.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy deploy --dry-run                        show what would change",
      "  novaproxy deploy                                  deploy; prints the URL",
      "  novaproxy deploy --allow-origin https://app.example.com --max-tokens-cap 1024",
      "  novaproxy deploy -o json | jq -r .url"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Deployed, or nothing to change.",
      "1:The operation failed (the message names the step; re-run to finish).",
      "2:Usage error.",
      "3:No secret (run setup first) or no Lambda artifact.",
      "5:AWS credentials, region or permission problem."
    })
public final class DeployCommand implements Callable<Integer> {
  public enum Arch {
    arm64,
    x86_64
  }

  @Mixin GlobalOptions global;
  @Mixin PolicyOptions policy;
  @Spec CommandSpec spec;

  @Option(
      names = "--dry-run",
      description = "Print the plan (create / update / unchanged per resource) and change nothing.")
  boolean dryRun;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description =
          "The secret holding the key (default: the one setup saved, else backend/NovaApiKey).")
  String secretName;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      description = "Function architecture: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Arch arch = Arch.arm64;

  @Option(
      names = "--memory",
      paramLabel = "MB",
      description = "Function memory in MB, 128 to 10240 (default: ${DEFAULT-VALUE}).")
  int memory = 512;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Function timeout in seconds, 3 to 30 (API Gateway waits 30 s at most; default: ${DEFAULT-VALUE}).")
  int timeout = 30;

  @Option(
      names = "--no-snapstart",
      description = "Do not turn on SnapStart for published versions.")
  boolean noSnapStart;

  @Option(
      names = "--throttle-rate",
      paramLabel = "RPS",
      description = "Steady requests per second the stage allows (default: ${DEFAULT-VALUE}).")
  double throttleRate = 10;

  @Option(
      names = "--throttle-burst",
      paramLabel = "N",
      description = "Burst of requests the stage allows (default: ${DEFAULT-VALUE}).")
  int throttleBurst = 20;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description =
          "The Nova API base URL the function calls (default: "
              + "https://api.nova.amazon.com/v1"
              + ").")
  URI upstreamUrl;

  @Option(
      names = "--artifact",
      paramLabel = "FILE",
      description = "The function's code (default: novaproxy-lambda.jar beside the novaproxy jar).")
  Path artifact;

  @Override
  public Integer call() {
    validate();
    AwsContext ctx = AwsContext.resolve(global, secretName);
    ProxySettings proxy = policy.applyTo(ProxySettings.defaults());
    if (upstreamUrl != null) {
      proxy = proxy.withUpstream(upstreamUrl);
    }
    var deploySpec =
        new Deployment.Spec(
            ctx.names(),
            ctx.secretName(),
            Artifact.read(LambdaArtifact.locate(artifact)),
            arch == Arch.arm64 ? Architecture.ARM64 : Architecture.X86_64,
            memory,
            timeout,
            !noSnapStart,
            proxy,
            throttleRate,
            throttleBurst);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    try (var aws = new AwsClients(ctx.location())) {
      var deployment = new Deployment(aws, Backoff.iamPropagation());
      Deployment.Plan plan = deployment.plan(deploySpec);
      var report = new DeployReport(ctx, plan, global.json());
      if (dryRun) {
        report.printPlan(out);
        return ExitCodes.OK;
      }
      if (!global.json()) {
        long changes = plan.steps().stream().filter(PlanStep::mutates).count();
        if (global.verbose) {
          report.printPlan(err);
        }
        println(
            err,
            "Deploying "
                + ctx.names().name()
                + " in "
                + ctx.location().region()
                + (changes == 0
                    ? ": no changes."
                    : ": "
                        + changes
                        + " of "
                        + plan.steps().size()
                        + " resources to create or update."));
      }
      Deployment.Result result = deployment.apply(plan, line -> println(err, line));
      ctx.config()
          .update(
              c -> {
                c.put(ConfigFile.URL, result.url());
                c.put(ConfigFile.REGION, ctx.location().region());
                c.put(ConfigFile.NAME, ctx.names().name());
              });
      report.printResult(out, result, aws.calls().count(), (System.nanoTime() - start) / 1e9);
      return ExitCodes.OK;
    }
  }

  private void validate() {
    if (memory < 128 || memory > 10240) {
      throw CliException.usage("--memory must be between 128 and 10240 MB, not " + memory + ".");
    }
    if (timeout < 3 || timeout > 30) {
      throw CliException.usage(
          "--timeout must be between 3 and 30 seconds (API Gateway stops waiting at 30), not "
              + timeout
              + ".");
    }
    if (!(throttleRate > 0) || throttleBurst < 1) {
      throw CliException.usage("--throttle-rate and --throttle-burst must be positive.");
    }
    if (upstreamUrl != null) {
      try {
        UpstreamUrl.parse(upstreamUrl.toString());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
    }
  }

  private static void println(PrintWriter w, String line) {
    w.println(line);
    w.flush();
  }

  /** How deploy prints its plan and its result, in text or JSON. */
  private record DeployReport(AwsContext ctx, Deployment.Plan plan, boolean json) {
    void printPlan(PrintWriter w) {
      if (json) {
        var o =
            Json.object()
                .put("name", ctx.names().name())
                .put("region", ctx.location().region())
                .put("dryRun", true)
                .put("changes", plan.changes());
        o.set("plan", Json.steps(plan.steps()));
        Json.print(w, o);
        return;
      }
      w.println(
          "Plan for "
              + ctx.names().name()
              + " in "
              + ctx.location().region()
              + (plan.changes() ? ":" : ": no changes."));
      for (PlanStep s : plan.steps()) {
        w.println(
            String.format(
                "  %-9s %-11s %s%s",
                s.action().label(),
                s.resource(),
                s.name(),
                s.changes().isEmpty() ? "" : " (" + String.join("; ", s.changes()) + ")"));
      }
      w.flush();
    }

    void printResult(PrintWriter w, Deployment.Result r, int calls, double seconds) {
      if (json) {
        var o =
            Json.object()
                .put("name", ctx.names().name())
                .put("region", ctx.location().region())
                .put("dryRun", false)
                .put("changed", r.changed())
                .put("url", r.url())
                .put("apiId", r.apiId())
                .put("secretArn", r.secretArn())
                .put("roleArn", r.roleArn())
                .put("functionArn", r.functionArn())
                .put("aliasArn", r.aliasArn())
                .put("awsCalls", calls)
                .put("seconds", Math.round(seconds * 10) / 10.0);
        o.set("plan", Json.steps(plan.steps()));
        Json.print(w, o);
        return;
      }
      w.println(
          r.changed()
              ? String.format("Deployed in %.1f s (%d AWS calls).", seconds, calls)
              : String.format("No changes (%d AWS calls, %.1f s).", calls, seconds));
      w.println(r.url());
      w.flush();
    }
  }
}
