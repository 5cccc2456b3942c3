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
    if (options.url() != null) {
      out.add(proxy.run("proxy-url", options.url(), "--url"));
    } else if (deployment.url() != null) {
      out.add(proxy.run("proxy-url", deployment.url(), "deployed"));
    } else if (!deployment.read() && options.savedUrl() != null) {
      out.add(proxy.run("proxy-url", options.savedUrl(), "saved by deploy"));
    } else {
      out.add(Finding.skip("proxy-url", "not checked: no deployed URL (pass --url to check one)"));
    }
    if (options.url() != null) {
      out.add(Finding.skip("stream-url", "not checked: --url checks that URL only"));
    } else if (deployment.streamUrl() != null) {
      out.add(proxy.run("stream-url", deployment.streamUrl(), "deployed"));
    } else if (!deployment.read() && options.savedStreamUrl() != null) {
      out.add(proxy.run("stream-url", options.savedStreamUrl(), "saved by deploy"));
    } else {
      out.add(Finding.skip("stream-url", "not checked: no stream URL"));
    }
  }
}
