package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Relays Nova's server-sent events to the client one by one, as they arrive. Every way the stream
 * can break (reset, cut short without {@code [DONE]}, silent for too long) ends with an
 * OpenAI-shaped error event, so a client never hangs and never mistakes half an answer for all.
 */
final class StreamRelay implements ProxyResponse.EventStream {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private final EventQueue queue;
  private final Duration idleTimeout;
  private final NovaUpstream.Deadline wholeDeadline;
  private final RequestRecord record;
  private final KeyScrubber scrubber;
  private final long startNanos; // when the request to Nova left: upstream_ms is all of Nova's time
  private boolean done; // [DONE] came: touched by one reader at a time

  /**
   * @param idleTimeout the most silence between two events
   * @param wholeDeadline when the whole stream must have ended, or null for no such limit
   * @param scrubber takes the key out of each event (an error event may quote the request)
   * @param startNanos when the request was sent to Nova ({@link System#nanoTime})
   */
  StreamRelay(
      EventQueue queue,
      Duration idleTimeout,
      NovaUpstream.Deadline wholeDeadline,
      RequestRecord record,
      KeyScrubber scrubber,
      long startNanos) {
    this.queue = queue;
    this.startNanos = startNanos;
    this.idleTimeout = idleTimeout;
    this.wholeDeadline = wholeDeadline;
    this.record = record;
    this.scrubber = scrubber;
  }

  @Override
  public void writeTo(ProxyResponse.EventSink sink) throws IOException {
    try {
      while (true) {
        EventQueue.Item item = queue.next(waitMillis());
        if (item instanceof EventQueue.Event event) {
          byte[] bytes = toSend(event);
          if (bytes != null) {
            sink.event(bytes);
          }
          continue;
        }
        ProxyException error = ending(item);
        if (error != null) {
          sink.error(ErrorBodies.event(error), error);
        }
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      queue.cancel();
    } catch (IOException e) {
      clientGone();
      throw e;
    } finally {
      ended();
    }
  }

  @Override
  public CompletionStage<Void> relay(ProxyResponse.AsyncEventSink sink, Executor finisher) {
    return new AsyncRelay(this, queue, sink, finisher).start();
  }

  /** How long the next event may take: the silence allowed, or less near the whole deadline. */
  long waitMillis() {
    return silenceLeftMillis(0);
  }

  /**
   * How much longer Nova may stay silent, having been silent for {@code waitedMillis}: what is left
   * of the silence allowed, or of the whole deadline if that comes first.
   */
  long silenceLeftMillis(long waitedMillis) {
    long left = idleTimeout.toMillis() - waitedMillis;
    if (wholeDeadline != null) {
      left = Math.min(left, wholeDeadline.remainingMillis());
    }
    return left;
  }

  /** The client went away: stop reading from Nova too. */
  void clientGone() {
    queue.cancel();
    record.errorCode = "client_disconnected";
  }

  /** The stream is over, either way: Nova's time is counted to here. */
  void ended() {
    record.upstreamNanos = System.nanoTime() - startNanos;
  }

  /**
   * What to send the client for this event, ended by its blank line; null for nothing (the usage
   * chunk the proxy asked for and the client did not: counted only).
   */
  byte[] toSend(EventQueue.Event event) {
    byte[] bytes = scrubber.scrub(event.bytes());
    if (Arrays.equals(bytes, DONE)) {
      done = true;
    } else if (inspect(bytes)) {
      return null;
    }
    if (!done && record.firstEventNanos < 0) {
      record.firstEventNanos = System.nanoTime(); // time to first token, as the client sees it
    }
    return withEnd(bytes);
  }

  /**
   * How the stream ends on an item that is not an event (the end, a failure, or silence past the
   * time allowed): null when it ended well, else the error that is its last event.
   */
  ProxyException ending(EventQueue.Item item) {
    if (item instanceof EventQueue.End) {
      return done
          ? null
          : failure(
              ProxyException.badGateway("Nova's stream ended before it was complete (no [DONE])."),
              "stream_truncated");
    }
    if (item instanceof EventQueue.Failed failed) {
      return failure(
          ProxyException.badGateway(
              "The connection to Nova broke mid-stream, before the answer was complete ("
                  + failed.cause().getClass().getSimpleName()
                  + ")."),
          "stream_truncated");
    }
    queue.cancel();
    return failure(
        wholeDeadline != null && wholeDeadline.remainingMillis() <= 0
            ? ProxyException.gatewayTimeout(
                "Nova's streamed answer did not end within "
                    + wholeDeadline.total().toSeconds()
                    + " s.")
            : ProxyException.gatewayTimeout(
                "Nova sent nothing for " + idleTimeout.toSeconds() + " s mid-stream."),
        "stream_timeout");
  }

  private ProxyException failure(ProxyException e, String code) {
    record.errorCode = code;
    return new ProxyException(e.status(), e.type(), code, null, e.getMessage());
  }

  /**
   * Picks token usage (and, when content logging is on, the text) out of the chunks.
   *
   * @return whether this is a usage chunk (no choices) that the client must not see
   */
  private boolean inspect(byte[] event) {
    boolean hasUsage = contains(event, "\"usage\"");
    if (!hasUsage && record.contentOut == null) {
      return false;
    }
    String text = new String(event, StandardCharsets.UTF_8);
    if (!text.startsWith("data:")) {
      return false;
    }
    try {
      JsonNode chunk = JSON.readTree(text.substring(5).trim());
      if (record.contentOut != null) {
        record.contentOut.append(
            chunk.path("choices").path(0).path("delta").path("content").asText(""));
      }
      JsonNode usage = chunk.get("usage");
      if (usage != null && usage.isObject()) {
        record.usage = usage;
        return record.hideUsageChunk && chunk.path("choices").isEmpty();
      }
    } catch (IOException e) {
      // not JSON: relayed as is, nothing to record
    }
    return false;
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i <= haystack.length - n.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] withEnd(byte[] event) {
    byte[] out = Arrays.copyOf(event, event.length + END_OF_EVENT.length);
    System.arraycopy(END_OF_EVENT, 0, out, event.length, END_OF_EVENT.length);
    return out;
  }
}
