package dev.novaproxy.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stream relayed with no thread waiting on it ({@link StreamRelay#relay}): an event goes to the
 * client as soon as it has arrived and the client has taken the one before. Three things move it
 * on, each from its own thread: an event arriving (the HTTP client's I/O thread), the client taking
 * a write (the server's), and the timer watching for Nova's silence. Whichever comes runs {@link
 * #drain}, which lets one of them at a time do the work and has that one pick up what the others
 * signalled meanwhile, so events keep their order and none waits behind a lock.
 *
 * <p>While a write waits for the client, no more is taken from the queue, which then stops asking
 * Nova for more ({@link EventQueue}): the same back-pressure as the blocking relay.
 */
final class AsyncRelay {
  /** One thread for every stream's silence timer: it only looks at the clock and signals. */
  private static final ScheduledThreadPoolExecutor TIMERS = newTimers();

  private final StreamRelay relay;
  private final EventQueue queue;
  private final ProxyResponse.AsyncEventSink sink;
  private final Executor finisher;
  private final CompletableFuture<Void> result = new CompletableFuture<>();
  private final AtomicInteger signals = new AtomicInteger();
  private final AtomicBoolean over = new AtomicBoolean();
  private volatile boolean writing;
  private volatile boolean finished; // the last item was taken: nothing more is read
  private volatile boolean silentTooLong;
  private volatile long readySince; // when the relay last became ready for an event
  private volatile ScheduledFuture<?> timer;

  AsyncRelay(
      StreamRelay relay, EventQueue queue, ProxyResponse.AsyncEventSink sink, Executor finisher) {
    this.relay = relay;
    this.queue = queue;
    this.sink = sink;
    this.finisher = finisher;
  }

  private static ScheduledThreadPoolExecutor newTimers() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "novaproxy-stream-timer");
              t.setDaemon(true);
              return t;
            });
    // A stream's timer is cancelled when it ends, mostly long before it was due: without this
    // the cancelled timers, and the streams they hold, would stay queued until then.
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }

  CompletionStage<Void> start() {
    readySince = System.nanoTime();
    watch(relay.waitMillis());
    queue.listen(this::drain);
    return result;
  }

  /** Does what is to be done now; see the class comment for why any thread may call it. */
  private void drain() {
    if (signals.getAndIncrement() != 0) {
      return; // the thread already in the loop below will look again
    }
    int missed = 1;
    do {
      while (!finished && !writing) {
        EventQueue.Item item = queue.poll();
        if (item == null) {
          if (!silentTooLong) {
            break;
          }
          item = new EventQueue.TimedOut();
        } else if (silentTooLong) {
          // Nova spoke just as the timer gave up on it: not silent after all, so watch anew.
          silentTooLong = false;
          watch(relay.waitMillis());
        }
        take(item);
      }
      missed = signals.addAndGet(-missed);
    } while (missed != 0);
  }

  private void take(EventQueue.Item item) {
    if (item instanceof EventQueue.Event event) {
      byte[] bytes = relay.toSend(event);
      if (bytes == null) {
        readySince = System.nanoTime();
        return;
      }
      writing = true;
      try {
        sink.event(bytes, this::written);
      } catch (RuntimeException e) {
        end(e); // the server could not take the write at all: as good as a client gone
      }
      return;
    }
    finished = true;
    ProxyException error = relay.ending(item);
    if (error == null) {
      end(null);
      return;
    }
    writing = true;
    try {
      sink.error(ErrorBodies.event(error), error, this::end);
    } catch (RuntimeException e) {
      end(e);
    }
  }

  private void written(Throwable failure) {
    if (failure != null) {
      end(failure);
      return;
    }
    readySince = System.nanoTime();
    writing = false;
    drain();
  }

  /**
   * Checks for silence after {@code millis}: a timer per stream that is moved only when it fires,
   * not at every event, since thousands of streams each send many.
   */
  private void watch(long millis) {
    timer = TIMERS.schedule(this::checkSilence, Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  private void checkSilence() {
    if (finished) {
      return;
    }
    long waited = writing ? 0 : (System.nanoTime() - readySince) / 1_000_000;
    long left = relay.silenceLeftMillis(waited);
    if (left > 0) {
      watch(left); // a write waiting on the client is the server's write timeout to judge
      return;
    }
    silentTooLong = true;
    drain();
  }

  /** Whether this stream's silence timer is still queued (tests: an ended stream leaves none). */
  boolean timerQueued() {
    ScheduledFuture<?> t = timer;
    return t != null && TIMERS.getQueue().contains(t);
  }

  /** Ends once: with null when the last event was taken, else with why the client is gone. */
  private void end(Throwable clientGone) {
    if (!over.compareAndSet(false, true)) {
      return;
    }
    finished = true;
    queue.forgetReader();
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    if (clientGone != null) {
      relay.clientGone();
    }
    relay.ended();
    Runnable complete =
        () -> {
          if (clientGone == null) {
            result.complete(null);
          } else {
            result.completeExceptionally(clientGone);
          }
        };
    try {
      // The stage's followers log and settle limits, which may block: not on an I/O thread.
      finisher.execute(complete);
    } catch (RejectedExecutionException stopping) {
      complete.run();
    }
  }
}
