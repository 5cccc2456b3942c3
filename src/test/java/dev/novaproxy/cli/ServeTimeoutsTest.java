package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.ProxySettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How long serve waits for Nova: to connect, and in all; and that the function's wait is apart. */
class ServeTimeoutsTest {
  private static ServeCommand parsed(String... args) {
    return ParsedCommand.of(args);
  }

  @Test
  void should_wait_ten_seconds_to_connect_to_nova_where_the_function_waits_five() {
    assertThat(parsed("serve").settings().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ProxySettings.fromEnvironment(Map.of()).connectTimeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void should_set_only_the_total_wait_with_the_timeout_flag() {
    ProxySettings s = parsed("serve", "--timeout", "60").settings();
    assertThat(s.totalTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
  }
}
