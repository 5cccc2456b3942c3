package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentDiffTest {
  @Test
  void should_show_deploys_own_variables_and_hide_any_other_value() {
    var lines =
        EnvironmentDiff.lines(
            Map.of(
                "NOVA_MAX_TOKENS_CAP", "500",
                "DATABASE_URL", "postgres://u:hunter2@db/x",
                "NOVA_API_KEY", "sk-live-123"),
            Map.of("NOVA_MAX_TOKENS_CAP", "800"));
    assertThat(lines)
        .containsExactly(
            "environment DATABASE_URL (a value not shown) -> (unset)",
            "environment NOVA_API_KEY (a value not shown) -> (unset)",
            "environment NOVA_MAX_TOKENS_CAP 500 -> 800");
  }

  @Test
  void should_shorten_client_token_hashes() {
    String h = "a".repeat(64);
    assertThat(EnvironmentDiff.lines(Map.of(), Map.of("NOVA_CLIENT_TOKEN_SHA256", h)))
        .containsExactly("environment NOVA_CLIENT_TOKEN_SHA256 (unset) -> aaaaaaaa…");
  }
}
