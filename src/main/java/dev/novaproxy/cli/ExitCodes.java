package dev.novaproxy.cli;

/** The exit codes every command uses; documented in {@code --help} and docs/configuration.md. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  public static final int UNHEALTHY = 4;
  public static final int AWS_AUTH = 5;

  /** doctor: at least one check failed. */
  public static final int CHECK_FAILED = 6;

  /** For picocli's {@code exitCodeList}: shown at the end of every command's help. */
  public static final String[] HELP_LIST = {
    "0:Success.",
    "1:The operation failed.",
    "2:Usage error: a bad option or argument.",
    "3:Not deployed or not found.",
    "4:Unhealthy (status --smoke).",
    "5:AWS credentials, region or permission problem.",
    "6:A doctor check failed."
  };

  private ExitCodes() {}
}
