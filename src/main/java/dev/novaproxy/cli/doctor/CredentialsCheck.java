package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.CallerIdentity;
import java.util.Optional;

/** Whose AWS credentials these are (STS GetCallerIdentity), and where the SDK found them. */
final class CredentialsCheck {
  static final String NAME = "credentials";

  private CallerIdentity identity;

  Finding run(AwsClients aws, Problem problem) {
    try {
      identity = CallerIdentity.of(aws);
    } catch (RuntimeException e) {
      return problem.finding(
          NAME,
          Finding.Status.FAIL,
          e,
          "run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile.");
    }
    return Finding.ok(
        NAME,
        identity.arn()
            + " (account "
            + identity.account()
            + (identity.source() == null ? "" : ", from " + identity.source())
            + ")");
  }

  /** The identity, when the check passed. */
  Optional<CallerIdentity> identity() {
    return Optional.ofNullable(identity);
  }
}
