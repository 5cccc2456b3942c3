package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.CallerIdentity;
import dev.novaproxy.aws.DeployerPermissions;
import dev.novaproxy.aws.PolicySimulation;
import dev.novaproxy.aws.ResourceNames;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Whether the caller may make every call setup, deploy, status, destroy and keys make, asked of
 * IAM's policy simulator for the caller's principal. Not being allowed to ask is common (it needs
 * iam:SimulatePrincipalPolicy on oneself), so that is a warning, not a failure.
 */
final class PermissionsCheck {
  static final String NAME = "permissions";
  static final String GRANT =
      "grant them (docs/aws.md, 'Permissions the deploying identity needs'), or use another --profile.";
  private static final String CANNOT_ASK =
      "allow iam:SimulatePrincipalPolicy on your own identity for this check, or compare your policy with docs/aws.md's 'Permissions the deploying identity needs'.";
  private static final int SHOWN = 8;

  /**
   * Why IAM did not simulate: not allowed (403), the principal unknown (a role's path not found),
   * or another answer (an emulator without the simulator).
   */
  private static String refusal(AwsServiceException e, String principal) {
    if (e.statusCode() == 403) {
      return "iam:SimulatePrincipalPolicy is not allowed for you";
    }
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    if ("NoSuchEntity".equals(code)) {
      return "IAM knows no "
          + principal
          + " (a role with a path, such as an SSO role, is found with iam:GetRole on it)";
    }
    return "IAM's policy simulator answered HTTP "
        + e.statusCode()
        + (code == null || code.isBlank() ? "" : " " + code)
        + " (an AWS emulator may not have it)";
  }

  Finding run(
      AwsClients aws,
      Problem problem,
      CallerIdentity who,
      ResourceNames names,
      String secretName,
      String secretArn) {
    Optional<String> principal = who.principalArn();
    if (principal.isEmpty()) {
      return Finding.warn(
          NAME,
          "could not check: IAM's policy simulator does not take " + who.arn(),
          who.arn().endsWith(":root")
              ? "deploy with an IAM user or role, not the account's root user."
              : CANNOT_ASK);
    }
    List<DeployerPermissions.Grant> grants =
        DeployerPermissions.of(who.account(aws.region()), names, secretName, secretArn);
    PolicySimulation.Outcome outcome;
    try {
      outcome = new PolicySimulation(aws).simulateFindingPath(principal.get(), grants);
    } catch (AwsServiceException e) {
      return Finding.warn(NAME, "could not check: " + refusal(e, principal.get()), CANNOT_ASK);
    } catch (RuntimeException e) {
      Finding why = problem.finding(NAME, Finding.Status.WARN, e, CANNOT_ASK);
      return Finding.warn(NAME, "could not check: " + why.message(), CANNOT_ASK);
    }
    List<PolicySimulation.Decision> decisions = outcome.decisions();
    String simulated = outcome.principalArn();
    List<String> denied =
        decisions.stream()
            .filter(d -> !d.allowed())
            .map(PolicySimulation.Decision::action)
            .distinct()
            .toList();
    if (denied.isEmpty()) {
      return Finding.ok(
          NAME,
          "the "
              + decisions.size()
              + " actions novaproxy calls are allowed for "
              + simulated
              + " (IAM policy simulator)");
    }
    String shown = String.join(", ", denied.subList(0, Math.min(SHOWN, denied.size())));
    return Finding.fail(
        NAME,
        denied.size()
            + " of "
            + decisions.size()
            + " actions are not allowed for "
            + simulated
            + ": "
            + shown
            + (denied.size() > SHOWN ? " and " + (denied.size() - SHOWN) + " more" : ""),
        GRANT);
  }
}
