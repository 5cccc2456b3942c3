package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsException;
import dev.novaproxy.aws.StepClock;
import dev.novaproxy.limits.LimitsStore;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns AWS failures into one line with the fix and an exit code: credentials missing or expired,
 * access denied (naming the action), no region: 5; not deployed: 3; the rest: 1. An answer may lack
 * any of error code, message and service name (an emulator's or a proxy's 5xx), so none is assumed.
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
  // Apache's "Connect to 127.0.0.1:5000 [/127.0.0.1] failed: Connection refused".
  private static final Pattern CONNECT_TO = Pattern.compile("Connect to (\\S+)");

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
    if (ex instanceof LimitsStore.StoreUnavailable store) {
      // The SDK's failure says best what to do (credentials, access, endpoint); else the store's.
      CliException inner = store.getCause() == null ? null : translate(store.getCause());
      return inner != null ? inner : CliException.failure(store.getMessage(), store);
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
    var details = e.awsErrorDetails();
    String code = details == null ? null : blankToNull(details.errorCode());
    String message = details == null ? e.getMessage() : blankToNull(details.errorMessage());
    if (code == null) {
      return e.statusCode() == 403 ? denied(e, message) : withoutCode(e);
    }
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
      return denied(e, message);
    }
    return CliException.failure(
        serviceName(e) + " said " + code + (message == null ? "." : ": " + message), e);
  }

  private static CliException denied(AwsServiceException e, String message) {
    return CliException.aws(
        "Access denied for "
            + action(e, message)
            + ": grant it to your AWS identity (see the IAM policy in docs/aws.md) or use another --profile.",
        e);
  }

  /**
   * An answer without an AWS error code did not come from an AWS service: an emulator or a proxy
   * failing (5xx), or something else listening at the endpoint. The body is not shown: a server
   * that echoes requests would echo setup's key.
   */
  private static CliException withoutCode(AwsServiceException e) {
    String what =
        "AWS answered HTTP "
            + e.statusCode()
            + " without an AWS error code ("
            + serviceName(e)
            + "): ";
    if (e.statusCode() == 401) {
      return CliException.aws(
          what
              + "check --profile / AWS_PROFILE, and --endpoint-url / AWS_ENDPOINT_URL and --region.",
          e);
    }
    return CliException.failure(
        what
            + "the endpoint is not AWS or is failing; check --endpoint-url / AWS_ENDPOINT_URL and --region, or try again later.",
        e);
  }

  private static String serviceName(AwsServiceException e) {
    String name = e.awsErrorDetails() == null ? null : e.awsErrorDetails().serviceName();
    return name == null || name.isBlank() ? "AWS" : name;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
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
    if (service == null) {
      return "an AWS call";
    }
    return "a " + service + " call" + (message == null ? "" : " (" + message + ")");
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
      return unreachable(e);
    }
    return null;
  }

  /** No answer at all: a host that does not resolve (often a mistyped region), or no listener. */
  private static CliException unreachable(SdkClientException e) {
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException unknown) {
        String host = unknown.getMessage() == null ? "" : unknown.getMessage().split(":")[0];
        return CliException.failure(
            "Cannot find the AWS host "
                + host
                + ": check --region (a real region, such as us-east-1) and --endpoint-url / AWS_ENDPOINT_URL, or your network.",
            e);
      }
      root = t;
    }
    Matcher at = CONNECT_TO.matcher(e.getMessage());
    String where = at.find() ? " at " + at.group(1) : "";
    String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return CliException.failure(
        "Cannot reach AWS"
            + where
            + " ("
            + why
            + "): check --endpoint-url / AWS_ENDPOINT_URL and --region, or your network.",
        e);
  }

  private AwsErrors() {}
}
