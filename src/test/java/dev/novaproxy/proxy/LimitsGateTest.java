package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.limits.ClientKey;
import org.junit.jupiter.api.Test;

/**
 * The parts of the gate that need no server: Nova's usage read, store messages made safe to log.
 */
class LimitsGateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void should_take_novas_total_else_prompt_plus_completion() throws Exception {
    assertThat(LimitsGate.used(JSON.readTree("{\"total_tokens\":42,\"prompt_tokens\":1}")))
        .hasValue(42);
    assertThat(LimitsGate.used(JSON.readTree("{\"prompt_tokens\":10,\"completion_tokens\":5}")))
        .hasValue(15);
    assertThat(LimitsGate.used(JSON.readTree("{\"total_tokens\":\"many\"}"))).isEmpty();
    assertThat(LimitsGate.used(null)).isEmpty();
  }

  @Test
  void should_take_keys_and_hashes_out_of_a_store_message_before_it_is_logged() {
    String key = ClientKey.newSecret();
    String hash = ClientKey.hashOf(key);
    String scrubbed =
        LimitsGate.scrub("ConditionalCheckFailed on pk=key#" + hash + " (" + key + ") in table t");
    assertThat(scrubbed)
        .doesNotContain(hash)
        .doesNotContain(key.substring(3))
        .contains("pk=key#<sha256>")
        .contains("in table t");
  }
}
