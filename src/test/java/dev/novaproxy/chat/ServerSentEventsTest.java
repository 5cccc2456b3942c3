package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {
  private static List<String> events(String body, boolean[] stopped) throws IOException {
    List<String> seen = new ArrayList<>();
    stopped[0] =
        ServerSentEvents.read(
            new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
            d -> {
              seen.add(d);
              return !d.equals("[DONE]");
            });
    return seen;
  }

  @Test
  void should_join_data_lines_and_skip_comments_and_other_fields() throws IOException {
    boolean[] stopped = new boolean[1];
    List<String> seen =
        events(
            ": keep-alive\n\nevent: x\ndata: a\ndata:b\nid: 3\n\ndata: [DONE]\n\ndata: after\n\n",
            stopped);
    assertThat(seen).containsExactly("a\nb", "[DONE]");
    assertThat(stopped[0]).isTrue();
  }

  @Test
  void should_report_a_stream_that_ends_without_being_stopped() throws IOException {
    boolean[] stopped = new boolean[1];
    assertThat(events("data: {\"x\":1}\n\ndata: {\"x\":2}\n\n", stopped)).hasSize(2);
    assertThat(stopped[0]).isFalse();
  }

  @Test
  void should_accept_crlf_lines_and_a_last_event_without_its_blank_line() throws IOException {
    boolean[] stopped = new boolean[1];
    assertThat(events("data: one\r\n\r\ndata: [DONE]", stopped)).containsExactly("one", "[DONE]");
    assertThat(stopped[0]).isTrue();
  }
}
