package dev.novaproxy.aws;

import java.util.function.Supplier;

/**
 * Runs the steps of a deploy or destroy: one progress line per step with its elapsed time, and a
 * failure that names the step it happened in.
 */
public final class StepClock {
  private final Progress progress;

  public StepClock(Progress progress) {
    this.progress = progress;
  }

  /** Runs the work when the step changes something; returns its result, or null when unchanged. */
  public <T> T run(PlanStep step, Supplier<T> work) {
    String what = step.resource() + " " + step.name();
    if (!step.mutates()) {
      progress.line("  " + what + ": unchanged");
      return null;
    }
    long start = System.nanoTime();
    T result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      throw new StepFailedException(step.resource() + " " + step.name(), e);
    }
    progress.line(
        String.format(
            "  %s: %s (%.1f s)",
            what, pastTense(step.action()), (System.nanoTime() - start) / 1e9));
    return result;
  }

  private static String pastTense(Action action) {
    return switch (action) {
      case CREATE -> "created";
      case UPDATE -> "updated";
      case DELETE -> "deleted";
      case UNCHANGED -> "unchanged";
    };
  }

  /** A step that failed; the cause says why. Re-running the command finishes the work. */
  public static final class StepFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String step;

    StepFailedException(String step, Throwable cause) {
      super("step '" + step + "' failed: " + cause.getMessage(), cause);
      this.step = step;
    }

    public String step() {
      return step;
    }
  }
}
