package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What a request reserves against the token limits before it goes to Nova. */
class TokenReservationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void should_reserve_the_requests_own_output_limit_times_n_plus_the_prompt() throws Exception {
    ObjectNode b = body("{\"max_tokens\":100,\"max_completion_tokens\":300,\"n\":2}");
    assertThat(TokenReservation.reserve(b, 20, OptionalLong.of(10))).isEqualTo(620);
    assertThat(b.get("max_tokens").asInt()).as("left as sent").isEqualTo(100);
  }

  @Test
  void should_bound_a_request_that_names_no_output_limit_only_when_a_token_limit_applies()
      throws Exception {
    ObjectNode free = body("{}");
    assertThat(TokenReservation.reserve(free, 20, OptionalLong.empty())).isEqualTo(4116);
    assertThat(free.has("max_tokens")).isFalse();

    ObjectNode limited = body("{}");
    assertThat(TokenReservation.reserve(limited, 20, OptionalLong.of(100_000))).isEqualTo(4116);
    assertThat(limited.get("max_tokens").asInt()).isEqualTo(4096);

    ObjectNode small = body("{\"max_tokens\":null}");
    assertThat(TokenReservation.reserve(small, 20, OptionalLong.of(1000))).isEqualTo(1000);
    assertThat(small.get("max_tokens").asInt())
        .as("what the day allows beside the prompt")
        .isEqualTo(980);
  }

  @Test
  void should_reckon_the_prompt_by_size_but_media_by_the_part() throws Exception {
    String image = "data:image/png;base64," + "A".repeat(400_000);
    String json =
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is it?\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\""
            + image
            + "\"}}]}]}";
    long prompt = TokenReservation.prompt(body(json), json.length());
    assertThat(prompt)
        .isEqualTo((json.length() - image.length() + 3) / 4 + TokenReservation.MEDIA_PART_TOKENS);
    assertThat(TokenReservation.prompt(body("{\"messages\":[]}"), 400)).isEqualTo(100);
  }
}
