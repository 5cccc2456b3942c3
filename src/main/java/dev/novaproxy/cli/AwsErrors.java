package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsException;
import dev.novaproxy.aws.StepClock;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns AWS failures into one line with the fix and an exit code: credentials missing or expired,
 * access denied (naming the action), no region: 5; not deployed: 3; the rest: 1.
 */
final class AwsErrors {
  private static final Set<String> EXPIRED =
      Set.of("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired");
  private static final Set<String> REJECTED =
      Set.of(
          "InvalidClientTokenId",
          "UnrecognizedClientException",
          "InvalidSignatureException",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "AuthFailure",
          "InvalidAccessKeyId");
  private static final Set<String> DENIED =
      Set.of(
          "AccessDenied",
          "AccessDeniedException",
          "UnauthorizedOperation",
          "AuthorizationError",
          "Forbidden");
  private static final Pattern ACTION =
      Pattern.compile("perform:?\\s+([A-Za-z0-9-]+:[A-Za-z0-9*]+)");

  /** The translator registered with {@link ErrorHandler}; null for failures it does not know. */
  static CliException translate(Throwable ex) {
    if (ex instanceof StepClock.StepFailedException step) {
      CliException inner = ErrorHandler.translate(step.getCause());
      return new CliException(
          inner.exitCode(),
          "Stopped at "
              + step.step()
              + ": "
              + inner.getMessage()
              + " Re-run the command to finish.",
          step.getCause());
    }
    if (ex instanceof AwsException aws) {
      int code =
          switch (aws.kind()) {
            case ACCESS -> ExitCodes.AWS_AUTH;
            case NOT_FOUND -> ExitCodes.NOT_FOUND;
            case FAILED -> ExitCodes.FAILURE;
          };
      return new CliException(code, aws.getMessage(), aws.getCause());
    }
    if (ex instanceof AwsServiceException service) {
      return service(service);
    }
    if (ex instanceof SdkClientException client) {
      return client(client);
    }
    return null;
  }

  private static CliException service(AwsServiceException e) {
    String code =
        e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
            ? ""
            : e.awsErrorDetails().errorCode();
    String message =
        e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    if (EXPIRED.contains(code)) {
      return CliException.aws(
          "The AWS credentials have expired ("
              + code
              + "): refresh them, e.g. 'aws sso login', and try again.",
          e);
    }
    if (REJECTED.contains(code)) {
      return CliException.aws(
          "AWS rejected the credentials ("
              + code
              + "): check --profile / AWS_PROFILE and your access keys.",
          e);
    }
    if (DENIED.contains(code) || e.statusCode() == 403) {
      return CliException.aws(
          "Access denied for "
              + action(e, message)
              + ": grant it to your AWS identity (see the IAM policy in README.md) or use another --profile.",
          e);
    }
    String service = e.awsErrorDetails() == null ? "AWS" : e.awsErrorDetails().serviceName();
    return CliException.failure(service + " said " + code + ": " + message, e);
  }

  /** The IAM action from AWS's message ("... is not authorized to perform: iam:CreateRole ..."). */
  static String action(AwsServiceException e, String message) {
    if (message != null) {
      Matcher m = ACTION.matcher(message);
      if (m.find()) {
        return m.group(1);
      }
    }
    String service = e.awsErrorDetails() == null ? null : e.awsErrorDetails().serviceName();
    return service == null ? "an AWS call" : "a " + service + " call (" + message + ")";
  }

  private static CliException client(SdkClientException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.contains("Unable to load credentials")
        || m.contains("Unable to load an SSO token")
        || m.contains("no credentials")) {
      return CliException.aws(
          "No AWS credentials found: run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile.",
          e);
    }
    if (m.toLowerCase(java.util.Locale.ROOT).contains("sso")
        && m.toLowerCase(java.util.Locale.ROOT).contains("expired")) {
      return CliException.aws(
          "The AWS SSO session has expired: run 'aws sso login' and try again.", e);
    }
    if (m.contains("Unable to execute HTTP request")) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return CliException.failure(
          "Cannot reach AWS ("
              + root.getMessage()
              + "): check your network, or --endpoint-url / AWS_ENDPOINT_URL.",
          e);
    }
    return null;
  }

  private AwsErrors() {}
}
