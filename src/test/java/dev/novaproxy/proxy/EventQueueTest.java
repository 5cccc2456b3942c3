package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventQueueTest {
  private static List<String> events(EventQueue q) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (EventQueue.Item item = q.next(0); item instanceof EventQueue.Event e; item = q.next(0)) {
      out.add(new String(e.bytes(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void feed(EventQueue q, String text, int pieceSize) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += pieceSize) {
      int n = Math.min(pieceSize, bytes.length - i);
      q.onNext(List.of(ByteBuffer.wrap(bytes, i, n)));
    }
  }

  @Test
  void should_cut_events_at_blank_lines_whatever_the_read_sizes() throws Exception {
    String stream = "data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\n\n";
    for (int piece : new int[] {1, 2, 3, 7, 1000}) {
      EventQueue q = new EventQueue();
      feed(q, stream, piece);
      assertThat(events(q))
          .as("pieces of %d", piece)
          .containsExactly("data: {\"a\":1}", "data: {\"b\":2}", "data: [DONE]");
    }
  }

  @Test
  void should_keep_no_buffer_once_nova_has_ended_the_stream() throws Exception {
    for (boolean failed : new boolean[] {false, true}) {
      EventQueue q = new EventQueue();
      feed(q, "data: " + "x".repeat(4000) + "\n\ndata: [DONE]\n\n", 4096);
      assertThat(q.pendingCapacity()).as("grown to the read").isGreaterThan(4000);
      if (failed) {
        q.onError(new java.io.IOException("connection reset"));
      } else {
        q.onComplete();
      }
      assertThat(q.pendingCapacity()).as("failed: %s", failed).isZero();
      assertThat(events(q)).hasSize(2);
    }
  }

  @Test
  void should_keep_an_incomplete_event_until_its_blank_line_arrives() throws Exception {
    EventQueue q = new EventQueue();
    feed(q, "data: {\"partial\":", 5);
    assertThat(events(q)).isEmpty();
    feed(q, "true}\n\n", 1);
    assertThat(events(q)).containsExactly("data: {\"partial\":true}");
  }

  @Test
  void should_fail_an_event_larger_than_the_limit() throws Exception {
    EventQueue q = new EventQueue();
    byte[] chunk = new byte[1024 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    for (int i = 0; i < 9; i++) {
      q.onNext(List.of(ByteBuffer.wrap(chunk)));
    }
    assertThat(q.next(0)).isInstanceOf(EventQueue.Failed.class);
  }

  /** A subscription that counts what the queue asked for. */
  private static final class Demand implements java.util.concurrent.Flow.Subscription {
    long requested;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {}
  }

  @Test
  void should_stop_asking_for_more_while_its_reader_lags_and_ask_again_once_it_has_read()
      throws Exception {
    EventQueue q = new EventQueue();
    Demand demand = new Demand();
    q.onSubscribe(demand);
    String event = "data: " + "x".repeat(1000) + "\n\n";
    long delivered = 0;
    // Deliver only what was asked for, as a Flow publisher must, until the queue stops asking.
    while (delivered < demand.requested && delivered < 10_000) {
      feed(q, event, event.length());
      delivered++;
    }
    assertThat(delivered)
        .as("events taken in while nobody read them (a client that does not read)")
        .isLessThan(10_000)
        .isGreaterThan(0);
    assertThat(demand.requested).isEqualTo(delivered);
    for (int i = 0; i < delivered; i++) {
      assertThat(q.next(0)).isInstanceOf(EventQueue.Event.class);
    }
    assertThat(demand.requested)
        .as("asks again once the reader has caught up")
        .isGreaterThan(delivered);
  }
}
