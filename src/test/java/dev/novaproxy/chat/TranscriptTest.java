package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscriptTest {
  @TempDir Path dir;

  @Test
  void should_round_trip_in_the_openai_request_form() throws IOException {
    Path file = dir.resolve("sub/t.json");
    List<Message> messages =
        List.of(Message.system("s"), Message.user("q \"1\"\nline"), Message.assistant("a1"));
    Transcript.save(file, "nova-2-pro-v1", messages);

    var json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.path("model").asText()).isEqualTo("nova-2-pro-v1");
    assertThat(json.path("messages").get(1).path("content").asText()).isEqualTo("q \"1\"\nline");

    Transcript.Saved back = Transcript.load(file);
    assertThat(back.model()).isEqualTo("nova-2-pro-v1");
    assertThat(back.messages()).isEqualTo(messages);
  }

  @Test
  void should_load_a_bare_messages_array_and_keep_content_parts() throws IOException {
    Path file = dir.resolve("t.json");
    Files.writeString(
        file,
        "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]},{\"role\":\"assistant\",\"content\":\"yo\"}]");
    Transcript.Saved back = Transcript.load(file);
    assertThat(back.model()).isNull();
    assertThat(back.messages()).extracting(Message::text).containsExactly("hi", "yo");
    assertThat(back.messages().get(0).json().path("content").isArray()).isTrue();
  }

  @Test
  void should_name_the_file_and_the_fix_when_it_cannot_be_loaded() throws IOException {
    assertThatThrownBy(() -> Transcript.load(dir.resolve("missing.json")))
        .hasMessageContaining("No transcript at")
        .hasMessageContaining("missing.json");
    Path notJson = Files.writeString(dir.resolve("x.json"), "hello");
    assertThatThrownBy(() -> Transcript.load(notJson)).hasMessageContaining("not JSON");
    Path noMessages = Files.writeString(dir.resolve("y.json"), "{\"model\":\"m\"}");
    assertThatThrownBy(() -> Transcript.load(noMessages))
        .hasMessageContaining("no \"messages\" array");
    Path badRole =
        Files.writeString(dir.resolve("z.json"), "[{\"role\":\"wizard\",\"content\":\"x\"}]");
    assertThatThrownBy(() -> Transcript.load(badRole)).hasMessageContaining("index 0");
  }
}
