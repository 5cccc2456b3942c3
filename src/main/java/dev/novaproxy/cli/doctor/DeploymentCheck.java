package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.DeploymentStatus;
import dev.novaproxy.aws.ResourceNames;

/** The deployment as {@code status} reads it: deployed, not yet, or only partly. */
final class DeploymentCheck {
  static final String NAME = "deployment";

  private DeploymentStatus.Report report;

  Finding run(AwsClients aws, Problem problem, ResourceNames names, String secretName) {
    try {
      report = new DeploymentStatus(aws).read(names, secretName);
    } catch (RuntimeException e) {
      return problem.finding(NAME, Finding.Status.FAIL, e, "run 'novaproxy status -v' for more.");
    }
    String which = names.name() + " in " + aws.region();
    if (report.nothingDeployed()) {
      return Finding.warn(NAME, which + " is not deployed", "run 'novaproxy deploy'.");
    }
    if (!report.deployed()) {
      String broken =
          String.join(
              ", ",
              report.resources().stream()
                  .filter(r -> !r.usable())
                  .map(r -> r.kind() + " " + (r.present() ? r.state() : "missing"))
                  .toList());
      return Finding.fail(
          NAME,
          which + " is only partly deployed or not working: " + broken,
          "run 'novaproxy deploy' to finish it ('novaproxy status' shows each resource).");
    }
    return Finding.ok(NAME, which + " is deployed: " + report.url());
  }

  /** Whether AWS said what is deployed (else the URLs deploy saved are all there is). */
  boolean read() {
    return report != null;
  }

  /** The URL, when the API exists. */
  String url() {
    return report == null ? null : report.url();
  }

  /** The stream URL, when there is one. */
  String streamUrl() {
    return report == null ? null : report.streamUrl();
  }
}
