package dev.novaproxy.proxy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Receives an upstream event-stream body and hands it out one complete server-sent event at a time.
 * The reader waits with a timeout, which is how a stalled upstream becomes an error event instead
 * of a hung client: a blocking InputStream read could not be bounded that way.
 *
 * <p>It asks the HTTP client for more only while fewer than {@link #MAX_QUEUED_BYTES} of complete
 * events wait to be read: a client that reads slowly, or not at all, slows Nova's stream down (TCP
 * flow control) instead of making the proxy hold the whole answer in memory.
 */
final class EventQueue implements Flow.Subscriber<List<ByteBuffer>> {
  /** What {@link #next} returns: an event, the end, a failure, or nothing within the time. */
  sealed interface Item {}

  record Event(byte[] bytes) implements Item {}

  record End() implements Item {}

  record Failed(Throwable cause) implements Item {}

  record TimedOut() implements Item {}

  private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

  private static final byte[] NOTHING = new byte[0];

  /** Complete events held for a reader that has not taken them yet, at most (about). */
  static final int MAX_QUEUED_BYTES = 64 * 1024;

  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  // Bytes received but not yet part of a complete event; scanned only once each, so an event
  // that arrives in many small pieces costs linear, not quadratic, time. It starts small and grows
  // to the largest read: it lives as long as the stream, and with 8 KB or more each, 2,000 streams
  // at once held 31 to 34 MB more live heap, which every young collection copies.
  private byte[] pending = new byte[512];
  private int length;
  private int scanned;
  private volatile Flow.Subscription subscription;
  private final java.util.concurrent.atomic.AtomicLong queuedBytes =
      new java.util.concurrent.atomic.AtomicLong();
  // Set when onNext stopped asking for more; whoever clears it asks (onNext or the reader).
  private final java.util.concurrent.atomic.AtomicBoolean paused =
      new java.util.concurrent.atomic.AtomicBoolean();
  // Told after each item is queued: how an asynchronous reader learns there is something to take.
  private volatile Runnable listener = () -> {};

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = b.remaining();
      if (length + n > pending.length) {
        pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, length + n));
      }
      b.get(pending, length, n);
      length += n;
    }
    split();
    if (length > MAX_EVENT_BYTES) {
      items.add(new Failed(new IllegalStateException("an upstream event was larger than 8 MB")));
      cancel();
      listener.run();
      return;
    }
    listener.run(); // before the check below, so that events taken at once do not pause Nova
    if (queuedBytes.get() < MAX_QUEUED_BYTES) {
      askForMore();
      return;
    }
    paused.set(true);
    // The reader may have drained the queue between the check and the flag: ask for it then.
    if (queuedBytes.get() < MAX_QUEUED_BYTES) {
      resume();
    }
  }

  private void resume() {
    if (paused.compareAndSet(true, false)) {
      askForMore();
    }
  }

  private void askForMore() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    letGoOfPending();
    items.add(new Failed(t));
    listener.run();
  }

  @Override
  public void onComplete() {
    // A last event without its blank line is incomplete: it is dropped, and the missing [DONE]
    // tells the reader the stream was cut short.
    letGoOfPending();
    items.add(new End());
    listener.run();
  }

  /**
   * Nothing more will arrive (no onNext follows these), and the buffer has grown to the largest
   * read: the HTTP client keeps this queue while the connection idles in its pool ({@link
   * #forgetReader}), so it keeps none.
   */
  private void letGoOfPending() {
    pending = NOTHING;
    length = 0;
    scanned = 0;
  }

  /** How much the buffer for a partial event holds now (tests). */
  int pendingCapacity() {
    return pending.length;
  }

  /**
   * Calls {@code listener} (on the HTTP client's thread, so it must not block) each time items have
   * been queued, and once now in case some already were.
   */
  void listen(Runnable listener) {
    this.listener = listener;
    listener.run();
  }

  /**
   * Lets go of the reader once it has ended, and of what it left unread. The HTTP client keeps an
   * idle pooled connection's last body subscriber, this queue, until that connection's next
   * exchange; through the listener that was the whole finished stream, the client's closed
   * connection included: 28 KB a connection, 67 MB of live heap in a serve left with 2,367 idle
   * connections to Nova after two bursts of 2,000 streams.
   */
  void forgetReader() {
    listener = () -> {};
    items.clear();
  }

  /** The next item if there is one, else null: for a reader told by {@link #listen}. */
  Item poll() {
    Item item = items.poll();
    taken(item);
    return item;
  }

  /** The next item, waiting at most {@code timeoutMillis}. */
  Item next(long timeoutMillis) throws InterruptedException {
    Item item = items.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    taken(item);
    return item == null ? new TimedOut() : item;
  }

  /** Asks Nova for more once the reader has taken enough. */
  private void taken(Item item) {
    if (item instanceof Event event
        && queuedBytes.addAndGet(-event.bytes().length) < MAX_QUEUED_BYTES) {
      resume();
    }
  }

  void cancel() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /** Moves each complete event (ended by a blank line, LF or CRLF) from pending to the queue. */
  private void split() {
    int start = 0;
    // Resume just before where the last scan stopped: a blank line may straddle two reads.
    for (int i = Math.max(0, scanned - 2); i < length; i++) {
      if (pending[i] != '\n') {
        continue;
      }
      int next = i + 1;
      if (next < length && pending[next] == '\r') {
        next++;
      }
      if (next < length && pending[next] == '\n') {
        int end = i > start && pending[i - 1] == '\r' ? i - 1 : i;
        if (end > start) {
          byte[] event = java.util.Arrays.copyOfRange(pending, start, end);
          queuedBytes.addAndGet(event.length);
          items.add(new Event(event));
        }
        start = next + 1;
        i = next;
      }
    }
    System.arraycopy(pending, start, pending, 0, length - start);
    length -= start;
    scanned = length;
  }
}
