package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.Action;
import dev.novaproxy.aws.AlertTopic;
import dev.novaproxy.aws.Artifact;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.Deployment;
import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.aws.DomainDeployment;
import dev.novaproxy.aws.DomainSetting;
import dev.novaproxy.aws.LiveAlias;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ProxyFunction;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.UpstreamUrl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    header = "Deploy the proxy to AWS Lambda and print its URL.",
    sortOptions = false,
    description = {
      "Create or update the IAM role, the keys table, the Lambda function (version and alias 'live'),"
          + " the HTTP API and the stream URL (and, with --domain, a custom domain for the API);"
          + " wait until they are ready; print the URLs. Running it again with the same inputs"
          + " changes nothing.",
      "",
      "The deployment's settings outlive this command line: deploy starts from what is deployed"
          + " (from any machine), and each option changes only its own setting, so a plain"
          + " 'novaproxy deploy' keeps every protection. Removing one takes a word of its own"
          + " (--no-client-tokens, --allow-origin none, --allow-model any, --max-tokens-cap none,"
          + " --alarm-email none)"
          + " and is printed as a warning. The defaults below apply to a new deployment."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy deploy --dry-run             every setting, and what would change",
      "  novaproxy deploy                       ship new code; settings stay",
      "  novaproxy deploy --max-tokens-cap 800  change one setting",
      "  novaproxy deploy --allow-origin https://app.example.com",
      "  novaproxy deploy --no-client-tokens    open the proxy (warned)",
      "  novaproxy deploy --anonymous deny --daily-token-budget 2000000",
      "  novaproxy deploy --alarm-email ops@example.com   alarms by e-mail",
      "  novaproxy deploy --domain chat.example.com   HTTPS on your own name",
      "  novaproxy deploy -o json | jq -r .url",
      "  novaproxy deploy --canary 10          new version gets 10%% (then: promote)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Deployed, or nothing to change.",
      "1:The operation failed (the message names the step; re-run to finish).",
      "2:Usage error.",
      "3:No secret (run setup first), no Lambda artifact, or no hosted zone owns the domain.",
      "5:AWS credentials, region or permission problem."
    })
public final class DeployCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Mixin PolicyOptions policy;
  @Mixin LimitsOptions limits;
  @Mixin MonitoringOptions monitoring;
  @Spec CommandSpec spec;

  @Option(
      names = "--dry-run",
      description =
          "Print the settings and the plan (create / update / unchanged per resource) and change"
              + " nothing.")
  boolean dryRun;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description =
          "The secret holding the key (default: the one setup saved, else the one the deployed"
              + " function reads, else backend/NovaApiKey).")
  String secretName;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      description = "Function architecture: ${COMPLETION-CANDIDATES} (default: arm64).")
  DeploymentSettings.Arch arch;

  @Option(
      names = "--memory",
      paramLabel = "MB",
      description =
          "Function memory in MB, 128 to 10240 (default: 256 for a new deployment; a deployed"
              + " function keeps its size). It is billed for its memory while it waits on Nova;"
              + " a dry run prints what a million chats cost.")
  Integer memory;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Function timeout in seconds, 3 to 900: how long a streamed answer may last on the"
              + " stream URL; the HTTP API still stops at 30 s (default: 300).")
  Integer timeout;

  @Option(
      names = "--snapstart",
      description = "Turn on SnapStart for published versions (a new deployment's default).")
  boolean snapStart;

  @Option(names = "--no-snapstart", description = "Turn SnapStart off.")
  boolean noSnapStart;

  @Option(
      names = "--throttle-rate",
      paramLabel = "RPS",
      description = "Steady requests per second the stage allows (default: 10).")
  Double throttleRate;

  @Option(
      names = "--throttle-burst",
      paramLabel = "N",
      description = "Burst of requests the stage allows (default: 20).")
  Integer throttleBurst;

  @Option(
      names = "--stream-url",
      description =
          "Give the function a stream URL (a Lambda function URL that streams answers, past the"
              + " HTTP API's 30 s); a new deployment's default.")
  boolean streamUrl;

  @Option(names = "--no-stream-url", description = "No stream URL; remove it when there is one.")
  boolean noStreamUrl;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description =
          "The Nova API base URL the function calls (default: "
              + "https://api.nova.amazon.com/v1"
              + "); another host than the Nova API needs --allow-upstream-host.")
  String upstreamUrl; // a String, not a URI: picocli's own error would echo a password in it

  @Option(
      names = "--allow-upstream-host",
      paramLabel = "HOST",
      split = ",",
      description =
          "Allow the function to send the Nova key to HOST, which is not the Nova API (warned);"
              + " repeat for more; 'none' removes them. Default: none.")
  List<String> allowUpstreamHosts = new ArrayList<>();

  @Option(
      names = "--domain",
      paramLabel = "NAME",
      description =
          "Serve the HTTP API on this domain too (e.g. chat.example.com): an ACM certificate, its"
              + " DNS validation and the alias records in the Route 53 zone that owns the name,"
              + " an API Gateway custom domain. 'none' removes it. The stream URL keeps its own"
              + " host (a function URL has no custom domain without CloudFront).")
  String domain;

  @Option(
      names = "--hosted-zone-id",
      paramLabel = "ID",
      description =
          "The Route 53 hosted zone for --domain's records (default: the public zone with the"
              + " longest name that holds the domain).")
  String hostedZoneId;

  @Option(
      names = "--domain-wait",
      paramLabel = "DURATION",
      description =
          "How long to wait for ACM to issue the domain's certificate, e.g. 90s, 10m, 1h"
              + " (default: 10m); when it runs out, deploy stops and a re-run resumes.")
  String domainWait;

  @Option(
      names = "--artifact",
      paramLabel = "FILE",
      description = "The function's code (default: novaproxy-lambda.zip beside the novaproxy jar).")
  Path artifact;

  @Option(
      names = "--canary",
      paramLabel = "PERCENT",
      description =
          "Publish the new version but keep the live one, sending it PERCENT%% (1 to 99) of the"
              + " requests on both URLs; 'novaproxy promote' makes it live, 'novaproxy rollback'"
              + " drops it. Not on a first deploy. Run again (e.g. after a stop at the"
              + " certificate wait), it resumes this canary; another PERCENT moves its share.")
  Integer canary;

  @Option(
      names = "--replace-canary",
      description =
          "Deploy even though a canary is in progress: it is dropped (its version gets no more"
              + " traffic) and this deploy starts from the live version's settings. Not needed to"
              + " resume this deploy's own canary (same code and settings).")
  boolean replaceCanary;

  @Override
  public Integer call() {
    validate();
    if (canary != null && (canary < 1 || canary > 99)) {
      throw CliException.usage(
          "--canary takes a share of the requests from 1 to 99 (percent), not " + canary + ".");
    }
    Duration wait = domainWait == null ? DomainDeployment.DEFAULT_WAIT : duration(domainWait);
    AwsContext ctx = AwsContext.resolve(global, secretName);
    Artifact code = Artifact.read(LambdaArtifact.locate(artifact));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    String region = ctx.location().region();
    String name = ctx.names().name();
    var saved = new SavedDeployments(ctx.config());
    try (var aws = new AwsClients(ctx.location())) {
      var deployment =
          new Deployment(aws, Backoff.iamPropagation())
              .withDomainWait(wait, DomainDeployment.DEFAULT_POLL);
      Deployment.Observed seen = deployment.observe(ctx.names());
      Optional<SavedDeployments.Saved> before = saved.read(seen.account().id(), region, name);
      DesiredSettings settings =
          DesiredSettings.resolve(
              seen.settings(), before, ctx.config().path().toString(), this::applyFlags);
      String secret = secretNameFor(ctx, seen, before);
      Deployment.Plan plan =
          deployment.plan(
              new Deployment.Spec(ctx.names(), secret, code, settings.desired(), release(before)),
              seen);
      var report = new DeployReport(ctx, settings, plan, global.json());
      if (!global.json()) {
        settings.warnings().forEach(w -> println(err, "warning: " + w));
      }
      if (dryRun) {
        report.printPlan(out);
        return ExitCodes.OK;
      }
      if (!global.json()) {
        long changes = plan.steps().stream().filter(PlanStep::mutates).count();
        if (global.verbose) {
          report.printPlan(err);
        } else {
          settings.changes().forEach(c -> println(err, "  setting " + c));
        }
        println(
            err,
            "Deploying "
                + name
                + " in "
                + region
                + (changes == 0
                    ? ": no changes."
                    : ": "
                        + changes
                        + " of "
                        + plan.steps().size()
                        + " resources to create or update."));
      }
      // Saved before anything changes, so that a deploy cut short is finished by running it again
      // with no flags; marked done after.
      String account = seen.account().id();
      boolean record = plan.changes() || before.map(SavedDeployments.Saved::pending).orElse(false);
      if (record) {
        saved.save(
            account,
            region,
            name,
            settings.desired(),
            secret,
            true,
            plan.snapshot().function().release().canaryPercent());
      }
      Deployment.Result result = deployment.apply(plan, line -> println(err, line));
      if (record) {
        saved.save(account, region, name, settings.desired(), secret, false, null);
      }
      ctx.config()
          .update(
              c -> {
                c.put(ConfigFile.URL, result.url());
                if (result.streamUrl() == null) {
                  c.remove(ConfigFile.STREAM_URL);
                } else {
                  c.put(ConfigFile.STREAM_URL, result.streamUrl());
                }
                c.put(ConfigFile.REGION, region);
                c.put(ConfigFile.NAME, name);
              });
      if (!global.json()) {
        confirmationNote(plan, settings.desired()).ifPresent(n -> println(err, n));
      }
      LiveAlias.State live = new LiveAlias(aws).read(ctx.names().function()).orElse(null);
      report.printResult(out, result, live, aws.calls().count(), (System.nanoTime() - start) / 1e9);
      return ExitCodes.OK;
    }
  }

  /**
   * How the new version goes out: --canary when given; else, re-running an unfinished deploy
   * --canary, the share it asked for, so that a plain re-run finishes it as a canary too (not with
   * --replace-canary, which asks for the version to go live). Either way the unfinished deploy's
   * share is marked as such, so that a re-run after its canary was promoted finishes without one.
   */
  private ProxyFunction.Release release(Optional<SavedDeployments.Saved> before) {
    Integer unfinished =
        before
            .filter(SavedDeployments.Saved::pending)
            .map(SavedDeployments.Saved::canaryPercent)
            .orElse(null);
    if (replaceCanary || unfinished == null || (canary != null && !canary.equals(unfinished))) {
      return new ProxyFunction.Release(canary, replaceCanary);
    }
    return new ProxyFunction.Release(unfinished, false, true);
  }

  /** The starting settings with every flag given (or its environment variable) applied. */
  private DeploymentSettings applyFlags(DeploymentSettings deployed) {
    DeploymentSettings base = monitoring.applyTo(deployed);
    ProxySettings proxy = policy.applyTo(base.proxy());
    try {
      if (!allowUpstreamHosts.isEmpty()) {
        boolean none =
            allowUpstreamHosts.size() == 1 && allowUpstreamHosts.get(0).strip().equals("none");
        proxy = proxy.withAllowedUpstreamHosts(none ? List.of() : allowUpstreamHosts);
      }
      if (upstreamUrl != null) {
        proxy = proxy.withUpstream(UpstreamUrl.parse(upstreamUrl, proxy.allowedUpstreamHosts()));
      }
      // The deployed upstream must still be allowed when only the allowed hosts changed.
      proxy.checkedUpstream();
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    return limits.applyTo(
        new DeploymentSettings(
            arch != null ? arch : base.arch(),
            memory != null ? memory : base.memoryMb(),
            timeout != null ? timeout : base.timeoutSeconds(),
            snapStart || (!noSnapStart && base.snapStart()),
            throttleRate != null ? throttleRate : base.throttleRate(),
            throttleBurst != null ? throttleBurst : base.throttleBurst(),
            streamUrl || (!noStreamUrl && base.streamUrl()),
            proxy,
            base.keys(),
            base.limits(),
            base.monitoring(),
            domainFor(base.domain())));
  }

  /** The domain --domain and --hosted-zone-id ask for, starting from the deployed one. */
  private DomainSetting domainFor(DomainSetting deployed) {
    String zone;
    try {
      zone = DomainSetting.zoneId(hostedZoneId);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--hosted-zone-id: " + e.getMessage() + ".");
    }
    if (domain == null && zone == null) {
      return deployed;
    }
    if (domain == null && deployed == null) {
      throw CliException.usage(
          "--hosted-zone-id is for --domain; add --domain NAME (e.g. chat.example.com).");
    }
    String name = domain == null ? deployed.name() : domain.strip();
    if (name.equals("none")) {
      return null;
    }
    try {
      return DomainSetting.parse(name, zone);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(
          "--domain '"
              + name
              + "' is not a domain name: "
              + e.getMessage()
              + "; give one such as chat.example.com, or 'none' to remove the domain.");
    }
  }

  /** "90s", "10m", "1h", or plain seconds. */
  static Duration duration(String text) {
    var m = java.util.regex.Pattern.compile("(\\d{1,6})\\s*([smh]?)").matcher(text.strip());
    if (!m.matches()) {
      throw CliException.usage(
          "--domain-wait '" + text + "' is not a duration; give one such as 90s, 10m or 1h.");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  /**
   * A secret named by flag or environment wins; else an unfinished deploy's, the deployed
   * function's (so that a plain deploy never switches secrets), the last one deployed from here,
   * the one setup saved, the default.
   */
  private String secretNameFor(
      AwsContext ctx, Deployment.Observed seen, Optional<SavedDeployments.Saved> saved) {
    // Filled by the flag or NOVAPROXY_SECRET_NAME only (ConfigDefaults gives deploy no file
    // values).
    if (secretName != null) {
      return secretName.strip();
    }
    Optional<String> pending =
        saved.filter(SavedDeployments.Saved::pending).map(SavedDeployments.Saved::secretName);
    // ctx.secretName(): the one setup saved in the config file, else the default.
    return pending
        .or(seen::secretName)
        .or(() -> saved.map(SavedDeployments.Saved::secretName))
        .orElse(ctx.secretName());
  }

  /** After a deploy that subscribed the alarm address: the owner has a mail to answer. */
  private static Optional<String> confirmationNote(
      Deployment.Plan plan, DeploymentSettings settings) {
    boolean subscribed =
        plan.steps().stream()
            .filter(s -> s.resource().equals(AlertTopic.RESOURCE))
            .anyMatch(
                s ->
                    s.action() == Action.CREATE
                        || s.changes().stream().anyMatch(c -> c.startsWith("subscribe ")));
    return subscribed
        ? Optional.of(
            "Alarms mail "
                + settings.monitoring().alarmEmail()
                + " once the subscription is confirmed: open the mail from AWS Notifications and"
                + " click 'Confirm subscription'.")
        : Optional.empty();
  }

  private void validate() {
    if (memory != null && (memory < 128 || memory > 10240)) {
      throw CliException.usage("--memory must be between 128 and 10240 MB, not " + memory + ".");
    }
    if (timeout != null && (timeout < 3 || timeout > DeploymentSettings.MAX_TIMEOUT_SECONDS)) {
      throw CliException.usage(
          "--timeout must be between 3 and 900 seconds (Lambda's limit), not " + timeout + ".");
    }
    if (streamUrl && noStreamUrl) {
      throw CliException.usage("--stream-url and --no-stream-url contradict each other; give one.");
    }
    if ((throttleRate != null && !(throttleRate > 0))
        || (throttleBurst != null && throttleBurst < 1)) {
      throw CliException.usage("--throttle-rate and --throttle-burst must be positive.");
    }
    if (snapStart && noSnapStart) {
      throw CliException.usage("--snapstart and --no-snapstart contradict each other; give one.");
    }
    if (hostedZoneId != null && domain != null && domain.strip().equals("none")) {
      throw CliException.usage("--hosted-zone-id is for a domain, not for --domain none.");
    }
    // Parsed here too, so that a mistyped name fails before any AWS call.
    if (domain != null) {
      domainFor(null);
    }
  }

  private static void println(PrintWriter w, String line) {
    w.println(line);
    w.flush();
  }

  /** How deploy prints its settings, plan and result, in text or JSON. */
  private record DeployReport(
      AwsContext ctx, DesiredSettings settings, Deployment.Plan plan, boolean json) {
    void printPlan(PrintWriter w) {
      if (json) {
        var o =
            Json.object()
                .put("name", ctx.names().name())
                .put("region", ctx.location().region())
                .put("dryRun", true)
                .put("changes", plan.changes());
        putSettings(o);
        o.set("cost", new DryRunCost(settings.desired()).json());
        o.set("plan", Json.steps(plan.steps()));
        Json.print(w, o);
        return;
      }
      w.println(
          "Settings for "
              + ctx.names().name()
              + " (starting from "
              + settings.startedFrom()
              + "):");
      settings
          .desired()
          .describe()
          .forEach(
              (k, v) ->
                  w.println(
                      String.format(
                          "  %-14s %s%s",
                          k,
                          v,
                          settings.wasIfChanged(k).map(was -> "   (was " + was + ")").orElse(""))));
      w.println(new DryRunCost(settings.desired()).text());
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

    private void putSettings(ObjectNode o) {
      o.put("settingsFrom", settings.startedFrom());
      ObjectNode values = o.putObject("settings");
      settings.desired().describe().forEach(values::put);
      settings.changes().forEach(o.putArray("settingChanges")::add);
      settings.warnings().forEach(o.putArray("warnings")::add);
    }

    void printResult(
        PrintWriter w, Deployment.Result r, LiveAlias.State live, int calls, double seconds) {
      if (json) {
        var o =
            Json.object()
                .put("name", ctx.names().name())
                .put("region", ctx.location().region())
                .put("dryRun", false)
                .put("changed", r.changed())
                .put("url", r.url())
                .put("streamUrl", r.streamUrl())
                .put("keysTable", r.keysTable())
                .put("apiId", r.apiId())
                .put("secretArn", r.secretArn())
                .put("roleArn", r.roleArn())
                .put("functionArn", r.functionArn())
                .put("aliasArn", r.aliasArn())
                .put("domainUrl", r.domainUrl())
                .put("awsCalls", calls)
                .put("seconds", Math.round(seconds * 10) / 10.0);
        putSettings(o);
        o.put("version", live == null ? null : live.version());
        Json.canary(o, live);
        o.set("plan", Json.steps(plan.steps()));
        Json.print(w, o);
        return;
      }
      w.println(
          r.changed()
              ? String.format("Deployed in %.1f s (%d AWS calls).", seconds, calls)
              : String.format("No changes (%d AWS calls, %.1f s).", calls, seconds));
      if (r.streamUrl() != null) {
        w.println("Stream URL (chat streams through it): " + r.streamUrl());
      }
      if (r.domainUrl() != null) {
        w.println("Custom domain (the HTTP API, as below): " + r.domainUrl());
        if (r.streamUrl() != null) {
          w.println(
              "  The stream URL keeps its Lambda host: a function URL has no custom domain"
                  + " without CloudFront in front of it.");
        }
      }
      if (r.keysTable() != null) {
        w.println("Keys table: " + r.keysTable() + " ('novaproxy keys create NAME' makes a key)");
      }
      if (live != null && live.canary()) {
        w.println(
            "Canary: version "
                + live.canaryVersion()
                + " gets "
                + live.canaryPercent()
                + "% of the requests, version "
                + live.version()
                + " the rest; 'novaproxy promote' makes it live, 'novaproxy rollback' drops it.");
      } else if (live != null && r.changed()) {
        w.println("Live: version " + live.version() + " ('novaproxy rollback' goes back)");
      }
      w.println(r.url());
      w.flush();
    }
  }
}
