package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatEndpointTest {
  @ParameterizedTest
  @CsvSource({
    "http://127.0.0.1:8080, http://127.0.0.1:8080/v1/chat/completions, http://127.0.0.1:8080/v1/models",
    "http://127.0.0.1:8080/, http://127.0.0.1:8080/v1/chat/completions, http://127.0.0.1:8080/v1/models",
    "http://127.0.0.1:8080/v1, http://127.0.0.1:8080/v1/chat/completions, http://127.0.0.1:8080/v1/models",
    "https://abc.execute-api.us-east-1.amazonaws.com/chat, https://abc.execute-api.us-east-1.amazonaws.com/chat, https://abc.execute-api.us-east-1.amazonaws.com/v1/models",
    "https://abc.example.com/prod/chat, https://abc.example.com/prod/chat, https://abc.example.com/prod/v1/models",
    "http://localhost:9/v1/chat/completions, http://localhost:9/v1/chat/completions, http://localhost:9/v1/models"
  })
  void should_map_a_base_or_chat_url_to_both_routes(
      String given, String completions, String models) {
    ChatEndpoint e = ChatEndpoint.parse(given);
    assertThat(e.completions()).hasToString(completions);
    assertThat(e.models()).hasToString(models);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"127.0.0.1:8080", "ftp://host/x", "http://", "not a url", "http://h/chat?x=1"})
  void should_reject_what_is_not_an_http_url_with_an_example(String given) {
    assertThatThrownBy(() -> ChatEndpoint.parse(given))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--url")
        .hasMessageContaining("http://127.0.0.1:8080");
  }
}
