package dev.novaproxy.aws;

/**
 * A failure of the AWS layer that the CLI turns into one line and an exit code. The kind says which
 * code; the message says what to do.
 */
public final class AwsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** Credentials missing or expired, access denied, no region: exit 5. */
    ACCESS,
    /** Something the command needs is not there (not deployed, no secret): exit 3. */
    NOT_FOUND,
    /** The operation failed for another reason: exit 1. */
    FAILED
  }

  private final Kind kind;

  public AwsException(Kind kind, String message) {
    this(kind, message, null);
  }

  public AwsException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
