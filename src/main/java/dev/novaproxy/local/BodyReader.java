package dev.novaproxy.local;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.BiConsumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request's body with no thread waiting for it: what has come is taken, and the rest is
 * asked for ({@link Request#demand}), so a client that sends its body slowly holds none of the few
 * threads that start requests. Never more than one byte past the limit is kept: the core answers
 * that with 413.
 */
final class BodyReader implements Runnable {
  private final Request request;
  private final int max;
  private final BiConsumer<byte[], Throwable> done;
  private byte[] bytes = new byte[0];
  private int size;

  private BodyReader(Request request, int max, BiConsumer<byte[], Throwable> done) {
    this.request = request;
    this.max = max;
    this.done = done;
  }

  /**
   * Calls {@code done} once with the body (at most {@code limit + 1} bytes), or with why it could
   * not be read: on this thread when the body has all come, else on a pool thread when it does.
   */
  static void read(Request request, int limit, BiConsumer<byte[], Throwable> done) {
    new BodyReader(request, limit + 1, done).run();
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        // The client went away, or sent nothing for the write timeout (Jetty's idle timeout).
        done.accept(null, chunk.getFailure());
        return;
      }
      take(chunk.getByteBuffer());
      boolean last = chunk.isLast();
      chunk.release();
      if (last || size >= max) {
        done.accept(size == bytes.length ? bytes : Arrays.copyOf(bytes, size), null);
        return;
      }
    }
  }

  private void take(ByteBuffer buffer) {
    int n = Math.min(buffer.remaining(), max - size);
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(max, Math.max(size + n, bytes.length * 2)));
    }
    buffer.get(bytes, size, n);
    size += n;
  }
}
