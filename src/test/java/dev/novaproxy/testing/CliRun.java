package dev.novaproxy.testing;

import dev.novaproxy.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of the CLI in this JVM, with its exit code, standard output and error. Its {@code
 * toString} shows all three, so a failed assertion explains itself.
 */
public record CliRun(int exitCode, String out, String err) {
  public static CliRun run(String... args) {
    return runWithStdin(null, args);
  }

  /** Runs with {@code stdin} as standard input (null: an empty stream). */
  public static synchronized CliRun runWithStdin(String stdin, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    InputStream saved = System.in;
    System.setIn(
        new ByteArrayInputStream(
            stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      int code =
          Main.run(
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8),
              args);
      return new CliRun(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setIn(saved);
    }
  }

  /** Runs with this environment for the settings instead of the process's own (stdin empty). */
  public static synchronized CliRun runWithEnv(java.util.Map<String, String> env, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            args);
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Starts a run that goes on until stopped ({@code logs --follow}), on a thread of its own, with
   * its output readable as it comes.
   */
  public static Background start(String... args) {
    return new Background(args);
  }

  /** A run in progress; {@link #stop} interrupts it, as Ctrl-C would end it, and waits. */
  public static final class Background {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile int code = -1;

    private Background(String[] args) {
      thread =
          new Thread(
              () ->
                  code =
                      Main.run(
                          new PrintStream(out, true, StandardCharsets.UTF_8),
                          new PrintStream(err, true, StandardCharsets.UTF_8),
                          args),
              "cli-background");
      thread.setDaemon(true);
      thread.start();
    }

    /** Standard output so far. */
    public String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    /** Waits until standard output holds {@code text}, or fails saying what it holds. */
    public void awaitOut(String text, java.time.Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (!out().contains(text)) {
        if (System.nanoTime() > end || !thread.isAlive()) {
          throw new AssertionError(
              "no '" + text + "' in the output:\n" + out() + "--- stderr ---\n" + err);
        }
        Thread.sleep(50);
      }
    }

    public CliRun stop() throws InterruptedException {
      thread.interrupt();
      thread.join(20_000);
      if (thread.isAlive()) {
        throw new AssertionError("the run did not stop when interrupted:\n" + out());
      }
      return new CliRun(code, out(), err.toString(StandardCharsets.UTF_8));
    }
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
