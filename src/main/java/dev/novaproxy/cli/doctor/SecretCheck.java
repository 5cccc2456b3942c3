package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.ApiKeySecret;
import dev.novaproxy.aws.AwsClients;
import java.util.Optional;

/**
 * Whether the secret holding the Nova key exists and can be described. Only DescribeSecret: doctor
 * never reads the key.
 */
final class SecretCheck {
  static final String NAME = "secret";

  private String arn;

  Finding run(AwsClients aws, Problem problem, String secretName) {
    Optional<ApiKeySecret.Info> info;
    try {
      info = new ApiKeySecret(aws).find(secretName);
    } catch (RuntimeException e) {
      return problem.finding(NAME, Finding.Status.FAIL, e, "check your permissions on the secret.");
    }
    if (info.isEmpty()) {
      return Finding.fail(
          NAME,
          "no secret " + secretName + " in " + aws.region(),
          "run 'novaproxy setup' to store the Nova key (or pass --secret-name, --region).");
    }
    ApiKeySecret.Info s = info.get();
    arn = s.arn();
    if (s.pendingDeletion()) {
      return Finding.fail(
          NAME,
          secretName + " is scheduled for deletion on " + s.deletionDate(),
          "run 'novaproxy setup' to restore it and store the key again.");
    }
    return Finding.ok(
        NAME,
        s.arn()
            + (s.lastChanged() == null ? "" : ", changed " + s.lastChanged())
            + " (described; the key was not read)");
  }

  /** The secret's ARN, when it exists. */
  String arn() {
    return arn;
  }
}
