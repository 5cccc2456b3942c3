package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous relay ({@code serve}'s) on its own: events in order, the client's pace setting
 * Nova's, and every ending the blocking relay has (silence, the whole deadline, a cut stream, a
 * client gone). The upstream side is the real {@link EventQueue}, fed as the HTTP client feeds it;
 * the client side is a sink that takes or holds each write.
 */
class AsyncRelayTest {
  private static final Executor INLINE = Runnable::run;

  /** A client whose writes complete when the test says so, or at once. */
  private static class Client implements ProxyResponse.AsyncEventSink {
    final List<String> events = new ArrayList<>();
    final ConcurrentLinkedQueue<Consumer<Throwable>> held = new ConcurrentLinkedQueue<>();
    volatile boolean holding;
    volatile ProxyException error;

    @Override
    public synchronized void event(byte[] bytes, Consumer<Throwable> written) {
      events.add(new String(bytes, StandardCharsets.UTF_8));
      if (holding) {
        held.add(written);
      } else {
        written.accept(null);
      }
    }

    @Override
    public void error(byte[] event, ProxyException cause, Consumer<Throwable> written) {
      error = cause;
      event(event, written);
    }

    synchronized List<String> events() {
      return List.copyOf(events);
    }

    void release() {
      holding = false;
      for (Consumer<Throwable> w = held.poll(); w != null; w = held.poll()) {
        w.accept(null);
      }
    }
  }

  /** What the HTTP client would be: counts what the queue asks for, and whether it cancelled. */
  private static final class Nova implements Flow.Subscription {
    volatile long requested;
    volatile boolean cancelled;

    @Override
    public synchronized void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private final EventQueue queue = new EventQueue();
  private final Nova nova = new Nova();
  private final RequestRecord record = new RequestRecord("req-1", "POST", "/chat");

  private CompletionStage<Void> relay(
      Client client, Duration silence, NovaUpstream.Deadline whole) {
    queue.onSubscribe(nova);
    StreamRelay relay =
        new StreamRelay(
            queue, silence, whole, record, KeyScrubber.of(List.of()), System.nanoTime());
    return relay.relay(client, INLINE);
  }

  private void send(String text) {
    queue.onNext(List.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
  }

  private static String chunk(int i) {
    return "data: {\"choices\":[{\"delta\":{\"content\":\"" + i + "\"}}]}";
  }

  @Test
  void should_relay_every_event_in_order_then_end() throws Exception {
    Client client = new Client();
    CompletionStage<Void> done = relay(client, Duration.ofSeconds(30), null);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(chunk(i) + "\n\n");
      send(chunk(i) + "\n\n");
    }
    send("data: [DONE]\n\n");
    queue.onComplete();

    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    sent.add("data: [DONE]\n\n");
    assertThat(client.events()).containsExactlyElementsOf(sent);
    assertThat(record.errorCode).isNull();
    assertThat(record.firstEventNanos).isPositive();
  }

  @Test
  void should_stop_asking_nova_for_more_while_the_client_has_not_taken_a_write() throws Exception {
    Client client = new Client();
    client.holding = true;
    CompletionStage<Void> done = relay(client, Duration.ofSeconds(30), null);
    String big = "data: " + "x".repeat(1000) + "\n\n";
    long fed = 0;
    // Feed as the HTTP client does: one more buffer for each one asked for.
    while (fed < nova.requested && fed < 1000) {
      send(big);
      fed++;
    }
    assertThat(client.events()).as("one write waits for the client").hasSize(1);
    assertThat(fed)
        .as("Nova was asked for about 64 KB past what the client took, not the whole answer")
        .isBetween(60L, 80L);

    client.release();
    assertThat(nova.requested).as("taken writes ask Nova for more").isGreaterThan(fed);
    send("data: [DONE]\n\n");
    queue.onComplete();
    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(client.events()).hasSize((int) fed + 1);
  }

  @Test
  void should_end_with_a_timeout_event_when_nova_falls_silent() throws Exception {
    Client client = new Client();
    CompletionStage<Void> done = relay(client, Duration.ofMillis(300), null);
    send(chunk(1) + "\n\n");

    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(client.events()).hasSize(2);
    assertThat(client.events().get(1)).contains("stream_timeout").contains("sent nothing");
    assertThat(client.error.code()).isEqualTo("stream_timeout");
    assertThat(nova.cancelled).as("Nova's stream is cancelled").isTrue();
  }

  @Test
  void should_end_at_the_whole_deadline_though_nova_keeps_sending() throws Exception {
    Client client = new Client();
    CompletionStage<Void> done =
        relay(client, Duration.ofSeconds(30), new NovaUpstream.Deadline(Duration.ofMillis(500)));
    CompletableFuture<?> stream = done.toCompletableFuture();
    for (int i = 0; i < 200 && !stream.isDone(); i++) {
      send(chunk(i) + "\n\n");
      Thread.sleep(10);
    }

    stream.get(10, TimeUnit.SECONDS);
    List<String> events = client.events();
    assertThat(events.get(events.size() - 1)).contains("did not end within");
    assertThat(record.errorCode).isEqualTo("stream_timeout");
    assertThat(nova.cancelled).isTrue();
  }

  @Test
  void should_end_with_an_error_event_when_nova_cuts_the_stream_short() throws Exception {
    Client client = new Client();
    CompletionStage<Void> done = relay(client, Duration.ofSeconds(30), null);
    send(chunk(1) + "\n\n");
    queue.onComplete();

    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(client.events().get(1)).contains("stream_truncated");
    assertThat(record.errorCode).isEqualTo("stream_truncated");
  }

  @Test
  void should_leave_no_timer_queued_once_a_stream_has_ended() throws Exception {
    queue.onSubscribe(nova);
    StreamRelay stream =
        new StreamRelay(
            queue,
            Duration.ofSeconds(30),
            null,
            record,
            KeyScrubber.of(List.of()),
            System.nanoTime());
    AsyncRelay relay = new AsyncRelay(stream, queue, new Client(), INLINE);
    CompletionStage<Void> done = relay.start();
    assertThat(relay.timerQueued()).as("Nova's silence is watched").isTrue();
    send("data: [DONE]\n\n");
    queue.onComplete();

    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(relay.timerQueued())
        .as("a finished stream's timer is gone, not left queued for 30 s with the stream it holds")
        .isFalse();
  }

  @Test
  void should_let_go_of_a_finished_stream_though_the_http_client_keeps_its_queue()
      throws Exception {
    Client client = new Client();
    WeakReference<Client> gone = new WeakReference<>(client);
    CompletionStage<Void> done = relay(client, Duration.ofSeconds(30), null);
    send(chunk(1) + "\n\n");
    send("data: [DONE]\n\n");
    queue.onComplete();
    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = null;
    done = null;

    // The queue stays reachable (this test holds it, as a pooled connection does); the relay, the
    // client's connection (here the sink) and the rest of the stream must not be held through it.
    for (int i = 0; i < 50 && gone.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(gone.get()).as("the finished stream's client, held through the queue").isNull();
    assertThat(queue.poll()).isNull();
  }

  @Test
  void should_cancel_nova_and_fail_when_the_client_is_gone() {
    Client gone =
        new Client() {
          @Override
          public synchronized void event(byte[] bytes, Consumer<Throwable> written) {
            written.accept(new IOException("client closed the connection"));
          }
        };
    CompletionStage<Void> done = relay(gone, Duration.ofSeconds(30), null);
    send(chunk(1) + "\n\n");

    assertThat(done.toCompletableFuture())
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IOException.class);
    assertThat(nova.cancelled).isTrue();
    assertThat(record.errorCode).isEqualTo("client_disconnected");
  }
}
