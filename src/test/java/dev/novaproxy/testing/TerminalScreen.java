package dev.novaproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What a pseudo-terminal shows, collected from the output of a process that runs on one (util-linux
 * {@code script}), so that a test can wait for a piece of it.
 */
public final class TerminalScreen {
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

  public TerminalScreen(InputStream in) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[4096];
              try {
                for (int n; (n = in.read(buf)) > 0; ) {
                  synchronized (seen) {
                    seen.write(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    t.setDaemon(true);
    t.start();
  }

  public String text() {
    synchronized (seen) {
      return seen.toString(StandardCharsets.UTF_8);
    }
  }

  /** Waits up to 20 seconds until {@code piece} was shown {@code occurrences} times. */
  public void await(String piece, int occurrences) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (count(text(), piece) < occurrences) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "waited for " + occurrences + " x '" + piece + "'; the screen shows:\n" + text());
      }
      Thread.sleep(20);
    }
  }

  public static int count(String s, String piece) {
    int n = 0;
    for (int i = s.indexOf(piece); i >= 0; i = s.indexOf(piece, i + 1)) {
      n++;
    }
    return n;
  }
}
