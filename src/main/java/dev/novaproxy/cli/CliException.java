package dev.novaproxy.cli;

/**
 * A failure a command reports as one line and an exit code. The message says what went wrong and
 * what to do; the cause is shown only with {@code -v}.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public static CliException failure(String message, Throwable cause) {
    return new CliException(ExitCodes.FAILURE, message, cause);
  }

  public static CliException usage(String message) {
    return new CliException(ExitCodes.USAGE, message);
  }

  public static CliException notFound(String message) {
    return new CliException(ExitCodes.NOT_FOUND, message);
  }

  public static CliException unhealthy(String message) {
    return new CliException(ExitCodes.UNHEALTHY, message);
  }

  public static CliException aws(String message, Throwable cause) {
    return new CliException(ExitCodes.AWS_AUTH, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
