package dev.novaproxy.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place where an exception from any command becomes a one-line message and an exit code.
 * Layers outside the CLI register translators (for example AWS errors) so that commands never
 * catch-and-print themselves.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  private static final List<Function<Throwable, CliException>> TRANSLATORS = new ArrayList<>();

  /** Adds a translator: returns a CliException for the failures it knows, else null. */
  static synchronized void register(Function<Throwable, CliException> translator) {
    TRANSLATORS.add(translator);
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    CliException known = translate(ex);
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText("novaproxy: " + known.getMessage()).toString());
    if (verbose(parsed)) {
      Throwable cause = known.getCause() != null ? known.getCause() : (known == ex ? null : ex);
      if (cause != null) {
        cause.printStackTrace(err);
      }
    }
    err.flush();
    return known.exitCode();
  }

  static CliException translate(Throwable ex) {
    if (ex instanceof CliException cli) {
      return cli;
    }
    List<Function<Throwable, CliException>> translators;
    synchronized (ErrorHandler.class) {
      translators = List.copyOf(TRANSLATORS);
    }
    for (var t : translators) {
      CliException translated;
      try {
        translated = t.apply(ex);
      } catch (RuntimeException bug) {
        // A translator that fails on an odd exception must not turn one line into a stack trace:
        // the generic line below still says what went wrong, and -v shows both.
        ex.addSuppressed(bug);
        continue;
      }
      if (translated != null) {
        return translated;
      }
    }
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    return CliException.failure(message, ex);
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("-v")) {
        return true;
      }
    }
    return false;
  }
}
