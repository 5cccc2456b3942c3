package dev.novaproxy.cli;

import dev.novaproxy.cli.doctor.Doctor;
import dev.novaproxy.cli.doctor.Finding;
import dev.novaproxy.cli.doctor.FindingsOutput;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.proxy.ProxySettings;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    header = "Check this machine's setup and say what to fix.",
    sortOptions = false,
    description = {
      "Checks, one line each (ok, warn, FAIL or skip) with the fix for each problem: the Java",
      "running novaproxy and JAVA_HOME; the AWS region; the credentials (whose they are and",
      "where they came from); whether IAM lets them make every call setup, deploy, status,",
      "destroy and keys make (IAM's policy simulator; 'could not check' when that is not",
      "allowed); the secret holding the Nova key (described, never read); whether the Nova",
      "API answers (without the key); and the deployed URL's and stream URL's /health.",
      "",
      "Doctor changes nothing, sends no key and starts no chat. Warnings keep exit 0; any",
      "FAIL exits 6."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy doctor                        every check",
      "  novaproxy doctor --skip-aws             no AWS call: Java, Nova, the saved URL",
      "  novaproxy doctor --url http://127.0.0.1:8080   a local serve instead",
      "  novaproxy doctor -o json                [{name, status, message, fix}, ...]"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:No check failed (warnings allowed).",
      "2:Usage error.",
      "6:A check failed (FAIL): its line says what to fix."
    })
public final class DoctorCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--skip-aws",
      description = "No AWS call: check Java, the Nova API and a given or saved URL only.")
  boolean skipAws;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Check the proxy at this URL (its /health) instead of the deployed one, e.g. a local serve.")
  String url;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "The secret to check (default: the saved one, else backend/NovaApiKey).")
  String secretName;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description =
          "The Nova API's base URL to reach (default: " + "https://api.nova.amazon.com/v1).")
  String upstreamUrl;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long each network check may take (default: ${DEFAULT-VALUE}).")
  int timeout = 5;

  @Override
  public Integer call() {
    if (timeout < 1 || timeout > 120) {
      throw CliException.usage("--timeout must be between 1 and 120 seconds.");
    }
    ConfigFile saved = ConfigFile.forCurrentUser();
    Doctor.Options options =
        new Doctor.Options(
            skipAws,
            url,
            saved.get(ConfigFile.URL),
            saved.get(ConfigFile.STREAM_URL),
            upstream(),
            Duration.ofSeconds(timeout));
    List<Finding> findings =
        new Doctor(
                () -> AwsContext.resolve(global, secretName),
                e -> ErrorHandler.translate(e).getMessage(),
                options)
            .run();
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      FindingsOutput.json(out, findings);
    } else {
      FindingsOutput.text(out, spec.commandLine().getColorScheme().ansi(), findings);
    }
    boolean failed = findings.stream().anyMatch(f -> f.status() == Finding.Status.FAIL);
    return failed ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
  }

  private URI upstream() {
    String u = upstreamUrl == null ? ProxySettings.DEFAULT_UPSTREAM.toString() : upstreamUrl;
    try {
      URI uri = URI.create(u.trim());
      if (uri.getHost() != null
          && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // the message below says what is wanted
    }
    throw CliException.usage(
        ConfigDefaults.origin(spec, "--upstream-url")
            + " is not an http(s) URL; give one such as https://api.nova.amazon.com/v1.");
  }
}
