package dev.novaproxy.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The few rules for answers that come later ({@link CompletableFuture}s of the proxy's own): the
 * core throws {@link ProxyException}s, so a failed stage is unwrapped back to one wherever a caller
 * waits, and what a step throws before its stage exists becomes a failed stage.
 */
final class Answers {
  private Answers() {}

  /** {@code step} applied to {@code input}; what it throws becomes the stage's failure. */
  static <T, R> CompletableFuture<R> started(Function<T, CompletableFuture<R>> step, T input) {
    try {
      return step.apply(input);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** What a stage failed with, without the wrapper CompletableFuture adds. */
  static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException c && c.getCause() != null
        ? c.getCause()
        : failure;
  }

  /** {@code cause}, to be thrown again from inside a stage (unchecked ones as they are). */
  static RuntimeException rethrown(Throwable cause) {
    return cause instanceof RuntimeException r ? r : new CompletionException(cause);
  }

  /** The answer of a stage that has completed or will, as the blocking callers expect it. */
  static <T> T join(CompletableFuture<T> answer) {
    try {
      return answer.join();
    } catch (CompletionException e) {
      throw rethrown(cause(e));
    }
  }
}
