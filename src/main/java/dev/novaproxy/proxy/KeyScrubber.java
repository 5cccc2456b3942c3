package dev.novaproxy.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Takes the Nova key out of what Nova sent before it reaches a client or a log. Nova's error bodies
 * are relayed as they are, and an upstream (a gateway, a stand-in, a misbehaving Nova) may quote
 * the request's {@code Authorization} header in one: the key, and so {@code Bearer <key>}, becomes
 * {@value #REDACTED}. The key is looked for as sent and as a JSON string would escape it.
 *
 * <p>Bytes without the key come back as the same array, so an answer is relayed byte for byte.
 */
final class KeyScrubber {
  static final String REDACTED = "[redacted]";
  private static final byte[] REPLACEMENT = REDACTED.getBytes(StandardCharsets.US_ASCII);

  private final List<byte[]> needles;

  private KeyScrubber(List<byte[]> needles) {
    this.needles = needles;
  }

  /** A scrubber for the keys one exchange sent (more than one after a refetch). */
  static KeyScrubber of(Collection<String> keys) {
    List<byte[]> needles = new ArrayList<>();
    for (String key : keys) {
      if (key == null || key.isEmpty()) {
        continue;
      }
      String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(key));
      add(needles, key.getBytes(StandardCharsets.UTF_8));
      add(needles, escaped.getBytes(StandardCharsets.UTF_8));
      // JSON may also escape '/', which Jackson does not.
      add(needles, escaped.replace("/", "\\/").getBytes(StandardCharsets.UTF_8));
    }
    // Longest first: an escaped form may contain the plain one.
    needles.sort((a, b) -> b.length - a.length);
    return new KeyScrubber(List.copyOf(needles));
  }

  private static void add(List<byte[]> needles, byte[] needle) {
    if (needles.stream().noneMatch(n -> Arrays.equals(n, needle))) {
      needles.add(needle);
    }
  }

  /** {@code bytes} with every occurrence of the key replaced; the same array when there is none. */
  byte[] scrub(byte[] bytes) {
    byte[] out = bytes;
    for (byte[] needle : needles) {
      out = replace(out, needle);
    }
    return out;
  }

  private static byte[] replace(byte[] haystack, byte[] needle) {
    int at = indexOf(haystack, needle, 0);
    if (at < 0) {
      return haystack;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(haystack.length);
    int from = 0;
    while (at >= 0) {
      out.write(haystack, from, at - from);
      out.write(REPLACEMENT, 0, REPLACEMENT.length);
      from = at + needle.length;
      at = indexOf(haystack, needle, from);
    }
    out.write(haystack, from, haystack.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    byte first = needle[0];
    int last = haystack.length - needle.length;
    outer:
    for (int i = from; i <= last; i++) {
      if (haystack[i] != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
