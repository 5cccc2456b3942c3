package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.cli.AwsContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs every check in order, each one line: Java; the AWS region, credentials, permissions, secret
 * and deployment; the Nova API; the proxy's URL and stream URL. A check that needs what an earlier
 * one found missing is skipped rather than failed a second time.
 */
public final class Doctor {
  /**
   * What to check.
   *
   * @param skipAws no AWS call at all
   * @param url the proxy to check, or null: the deployed one, else {@code savedUrl}
   * @param savedUrl the URL deploy saved in the config file, or null
   * @param savedStreamUrl the stream URL deploy saved, or null
   * @param upstream the Nova API's base URL
   * @param timeout for each network check
   */
  public record Options(
      boolean skipAws,
      String url,
      String savedUrl,
      String savedStreamUrl,
      URI upstream,
      Duration timeout) {}

  private final Supplier<AwsContext> context;
  private final Problem problem;
  private final Options options;

  /**
   * @param context resolves the AWS settings (throws when there is no region)
   * @param words the CLI's one-line message for a failure, "what: fix"
   */
  public Doctor(Supplier<AwsContext> context, Function<Throwable, String> words, Options options) {
    this.context = context;
    this.problem = new Problem(words);
    this.options = options;
  }

  public List<Finding> run() {
    List<Finding> out = new ArrayList<>();
    out.add(JavaCheck.run());
    DeploymentCheck deployment = new DeploymentCheck();
    if (options.skipAws()) {
      for (String name :
          List.of(
              "region",
              CredentialsCheck.NAME,
              PermissionsCheck.NAME,
              SecretCheck.NAME,
              DeploymentCheck.NAME)) {
        out.add(Finding.skip(name, "not checked (--skip-aws)"));
      }
    } else {
      aws(out, deployment);
    }
    out.add(new NovaApiCheck(options.timeout()).run(options.upstream()));
    proxies(out, deployment);
    return out;
  }

  private void aws(List<Finding> out, DeploymentCheck deployment) {
    AwsContext ctx;
    try {
      ctx = context.get();
    } catch (RuntimeException e) {
      out.add(
          problem.finding("region", Finding.Status.FAIL, e, "pass --region or set AWS_REGION."));
      skipRest(out, CredentialsCheck.NAME, "needs a region");
      return;
    }
    String where = ctx.location().endpoint() == null ? "" : " at " + ctx.location().endpoint();
    out.add(Finding.ok("region", ctx.location().region() + where));
    try (AwsClients aws = new AwsClients(ctx.location())) {
      CredentialsCheck credentials = new CredentialsCheck();
      out.add(credentials.run(aws, problem));
      if (credentials.identity().isEmpty()) {
        skipRest(out, PermissionsCheck.NAME, "needs credentials");
        return;
      }
      SecretCheck secret = new SecretCheck();
      Finding secretFinding = secret.run(aws, problem, ctx.secretName());
      out.add(
          new PermissionsCheck()
              .run(
                  aws,
                  problem,
                  credentials.identity().get(),
                  ctx.names(),
                  ctx.secretName(),
                  secret.arn()));
      out.add(secretFinding);
      out.add(deployment.run(aws, problem, ctx.names(), ctx.secretName()));
    }
  }

  /** Skips the AWS checks from {@code first} on. */
  private static void skipRest(List<Finding> out, String first, String why) {
    List<String> names =
        List.of(
            CredentialsCheck.NAME, PermissionsCheck.NAME, SecretCheck.NAME, DeploymentCheck.NAME);
    for (String name : names.subList(names.indexOf(first), names.size())) {
      out.add(Finding.skip(name, "not checked: " + why));
    }
  }

  private void proxies(List<Finding> out, DeploymentCheck deployment) {
    ProxyCheck proxy = new ProxyCheck(options.timeout());
    for (Target t : targets(options, deployment.read(), deployment.url(), deployment.streamUrl())) {
      out.add(
          t.url() == null
              ? Finding.skip(t.name(), "not checked: " + t.skipped())
              : proxy.run(t.name(), t.url(), t.origin()));
    }
  }

  /** A URL to check and where it came from; or, with a null URL, why there is none. */
  record Target(String name, String url, String origin, String skipped) {}

  /**
   * Which proxy URLs to check: the one given with --url; else the deployment's as AWS reports them;
   * else, only when AWS was not read, the ones deploy saved in the config file.
   *
   * @param read whether AWS said what is deployed
   */
  static List<Target> targets(Options o, boolean read, String url, String streamUrl) {
    if (o.url() != null) {
      return List.of(
          new Target("proxy-url", o.url(), "--url", null),
          new Target("stream-url", null, null, "--url checks that URL only"));
    }
    return List.of(
        pick(
            "proxy-url",
            read ? url : o.savedUrl(),
            read,
            "no deployed URL (pass --url to check one)"),
        pick("stream-url", read ? streamUrl : o.savedStreamUrl(), read, "no stream URL"));
  }

  private static Target pick(String name, String url, boolean read, String none) {
    return url == null
        ? new Target(name, null, null, none)
        : new Target(name, url, read ? "deployed" : "saved by deploy", null);
  }
}
