package dev.novaproxy.proxy;

import java.io.ByteArrayOutputStream;
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
 */
final class EventQueue implements Flow.Subscriber<List<ByteBuffer>> {
  /** What {@link #next} returns: an event, the end, a failure, or nothing within the time. */
  sealed interface Item {}

  record Event(byte[] bytes) implements Item {}

  record End() implements Item {}

  record Failed(Throwable cause) implements Item {}

  record TimedOut() implements Item {}

  private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private volatile Flow.Subscription subscription;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      pending.write(bytes, 0, bytes.length);
    }
    split();
    if (pending.size() > MAX_EVENT_BYTES) {
      items.add(new Failed(new IllegalStateException("an upstream event was larger than 8 MB")));
      cancel();
    }
  }

  @Override
  public void onError(Throwable t) {
    items.add(new Failed(t));
  }

  @Override
  public void onComplete() {
    // A last event without its blank line is incomplete: it is dropped, and the missing [DONE]
    // tells the reader the stream was cut short.
    items.add(new End());
  }

  /** The next item, waiting at most {@code timeoutMillis}. */
  Item next(long timeoutMillis) throws InterruptedException {
    Item item = items.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    return item == null ? new TimedOut() : item;
  }

  void cancel() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /** Moves each complete event (ended by a blank line, LF or CRLF) from pending to the queue. */
  private void split() {
    byte[] buf = pending.toByteArray();
    int start = 0;
    for (int i = 0; i < buf.length; i++) {
      if (buf[i] != '\n') {
        continue;
      }
      int next = i + 1;
      if (next < buf.length && buf[next] == '\r') {
        next++;
      }
      if (next < buf.length && buf[next] == '\n') {
        int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
        byte[] event = new byte[end - start];
        System.arraycopy(buf, start, event, 0, event.length);
        if (event.length > 0) {
          items.add(new Event(event));
        }
        start = next + 1;
        i = next;
      }
    }
    pending.reset();
    pending.write(buf, start, buf.length - start);
  }
}
