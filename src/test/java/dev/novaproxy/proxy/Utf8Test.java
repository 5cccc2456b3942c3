package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "'41', -1",
    "'C3 A9', -1",
    "'E6 97 A5', -1",
    "'F0 9F 98 80', -1",
    "'F4 8F BF BF', -1", // U+10FFFF, the last code point
    "'ED 9F BF', -1", // U+D7FF, just below the surrogates
    "'EE 80 80', -1", // U+E000, just above them
    "'EF BB BF 7B 7D', -1", // a byte order mark
    "'80', 0",
    "'41 BF', 1",
    "'C0 AF', 0", // overlong '/'
    "'C1 BF', 0",
    "'E0 80 AF', 0", // overlong
    "'F0 80 80 AF', 0", // overlong
    "'ED A0 80', 0", // U+D800 encoded
    "'F4 90 80 80', 0", // above U+10FFFF
    "'F5 80 80 80', 0",
    "'FF', 0",
    "'41 C3', 1", // cut short
    "'41 E6 97', 1",
    "'C3 41', 0",
    "'41 42 00', 2", // NUL: UTF-16 text
  })
  void should_find_the_first_bad_byte(String hex, int expected) {
    assertThat(Utf8.firstInvalid(bytes(hex))).isEqualTo(expected);
  }

  @Test
  void should_find_a_nul_or_bad_byte_at_any_offset_of_a_long_ascii_run() {
    for (int at = 0; at < 40; at++) {
      for (int bad : new int[] {0x00, 0x80, 0xFF}) {
        byte[] b =
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH".getBytes(StandardCharsets.US_ASCII);
        b[at] = (byte) bad;
        assertThat(Utf8.firstInvalid(b)).as("0x%02X at %d", bad, at).isEqualTo(at);
      }
    }
  }

  @Test
  void should_agree_with_the_jdk_decoder_on_random_bytes() {
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[random.nextInt(24)];
      for (int i = 0; i < b.length; i++) {
        // Mostly ASCII and lead/continuation bytes, so that valid sequences occur often.
        int kind = random.nextInt(4);
        b[i] =
            (byte)
                (kind == 0
                    ? 0x20 + random.nextInt(0x5F)
                    : kind == 1 ? 0x80 + random.nextInt(0x40) : 0xC0 + random.nextInt(0x40));
      }
      assertThat(Utf8.firstInvalid(b) < 0).as("%s", hex(b)).isEqualTo(jdkAccepts(b));
    }
  }

  private static boolean jdkAccepts(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] bytes(String hex) {
    String[] parts = hex.trim().split(" ");
    byte[] b = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return b;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02X ", x));
    }
    return sb.toString();
  }
}
