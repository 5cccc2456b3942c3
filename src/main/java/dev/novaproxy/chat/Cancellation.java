package dev.novaproxy.chat;

import java.io.Closeable;
import java.io.IOException;

/**
 * Stops one answer from another thread (the terminal's Ctrl-C handler). Closing the response stream
 * and interrupting the reading thread both wake a blocked read, so the stop takes effect at once
 * even while the proxy is silent.
 */
public final class Cancellation {
  private volatile boolean cancelled;
  private volatile Closeable resource;
  private volatile Thread reader;

  /** Binds to the thread that will read the answer. */
  public static Cancellation forCurrentThread() {
    Cancellation c = new Cancellation();
    c.reader = Thread.currentThread();
    return c;
  }

  public boolean cancelled() {
    return cancelled;
  }

  void attach(Closeable c) {
    resource = c;
    if (cancelled) {
      closeQuietly(c);
    }
  }

  public void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    Closeable c = resource;
    if (c != null) {
      closeQuietly(c);
    }
    Thread t = reader;
    if (t != null) {
      t.interrupt();
    }
  }

  /**
   * Ends the answer: clears an interrupt the cancel left behind, so the next prompt reads normally.
   */
  void finish() {
    reader = null;
    if (cancelled) {
      Thread.interrupted();
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException ignored) {
      // The stream is being abandoned; a failure to close it changes nothing.
    }
  }
}
