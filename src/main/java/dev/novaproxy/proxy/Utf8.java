package dev.novaproxy.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 checking of a request body before it is parsed. Jackson decodes only what it reads
 * as strings, accepts overlong forms and encoded surrogates, and guesses UTF-16 or UTF-32 from zero
 * bytes; checking here first means the body Nova gets is exactly the UTF-8 the client sent.
 */
final class Utf8 {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** Returns the offset of the first byte that is not valid UTF-8 JSON text, or -1 if none. */
  static int firstInvalid(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      // Bodies are mostly ASCII (base64 images especially): skip eight bytes at a time.
      if (i + 8 <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        if (hasZeroByte((long) LONGS.get(b, i))) {
          return i + zeroByteIndex(b, i);
        }
        i += 8;
        continue;
      }
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        if (c == 0) {
          return i; // a NUL byte never occurs in UTF-8 JSON; it means UTF-16 or UTF-32
        }
        i++;
        continue;
      }
      int len = sequenceLength(b, i, n);
      if (len < 0) {
        return i;
      }
      i += len;
    }
    return -1;
  }

  /** The length of the multi-byte sequence at {@code i}, or -1 when it is not well-formed. */
  private static int sequenceLength(byte[] b, int i, int n) {
    int c = b[i] & 0xFF;
    if (c >= 0xC2 && c <= 0xDF) {
      return i + 1 < n && isContinuation(b[i + 1]) ? 2 : -1;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (i + 2 >= n || !isContinuation(b[i + 1]) || !isContinuation(b[i + 2])) {
        return -1;
      }
      int c1 = b[i + 1] & 0xFF;
      if (c == 0xE0 && c1 < 0xA0) {
        return -1; // overlong
      }
      if (c == 0xED && c1 >= 0xA0) {
        return -1; // an encoded UTF-16 surrogate
      }
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (i + 3 >= n
          || !isContinuation(b[i + 1])
          || !isContinuation(b[i + 2])
          || !isContinuation(b[i + 3])) {
        return -1;
      }
      int c1 = b[i + 1] & 0xFF;
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
        return -1; // overlong, or above U+10FFFF
      }
      return 4;
    }
    return -1; // a stray continuation byte, C0/C1 (overlong) or F5..FF
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  private static boolean hasZeroByte(long v) {
    return ((v - 0x0101010101010101L) & ~v & HIGH_BITS) != 0;
  }

  private static int zeroByteIndex(byte[] b, int from) {
    int j = 0;
    while (b[from + j] != 0) {
      j++;
    }
    return j;
  }

  private Utf8() {}
}
