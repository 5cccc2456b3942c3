package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyScrubberTest {
  private static String scrub(KeyScrubber s, String text) {
    return new String(s.scrub(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void should_replace_every_occurrence_of_each_key_sent() {
    KeyScrubber s = KeyScrubber.of(List.of("sk-old-1111", "sk-new-2222"));
    assertThat(scrub(s, "{\"m\":\"Bearer sk-old-1111 then sk-new-2222, sk-new-2222\"}"))
        .isEqualTo("{\"m\":\"Bearer [redacted] then [redacted], [redacted]\"}");
  }

  @Test
  void should_find_the_key_as_a_json_string_escapes_it() {
    KeyScrubber s = KeyScrubber.of(List.of("sk/with\"quote"));
    assertThat(scrub(s, "{\"m\":\"sk\\/with\\\"quote\"}")).isEqualTo("{\"m\":\"[redacted]\"}");
    assertThat(scrub(s, "{\"m\":\"sk/with\\\"quote\"}")).isEqualTo("{\"m\":\"[redacted]\"}");
  }

  @Test
  void should_return_the_same_bytes_when_the_key_is_not_there() {
    byte[] body = "{\"choices\":[]} sk-old-111".getBytes(StandardCharsets.UTF_8);
    assertThat(KeyScrubber.of(List.of("sk-old-1111")).scrub(body)).isSameAs(body);
  }
}
