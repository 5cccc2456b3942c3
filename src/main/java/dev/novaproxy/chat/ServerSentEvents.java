package dev.novaproxy.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Reads a {@code text/event-stream} body: the {@code data:} lines of each event, joined, handed to
 * a consumer as the event ends. Other fields and comments are skipped, as the SSE spec says.
 */
final class ServerSentEvents {
  /**
   * Reads events until the consumer returns false or the stream ends.
   *
   * @return true if the consumer stopped the reading (the stream was complete), false if it ended
   *     first
   */
  static boolean read(InputStream in, Predicate<String> onData) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    StringBuilder data = null;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (line.isEmpty()) {
        if (data != null && !onData.test(data.toString())) {
          return true;
        }
        data = null;
      } else if (line.startsWith("data:")) {
        String value = line.substring(5);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
    }
    // A body without the blank line after its last event (a proxy that buffers) still counts.
    return data != null && !onData.test(data.toString());
  }

  private ServerSentEvents() {}
}
