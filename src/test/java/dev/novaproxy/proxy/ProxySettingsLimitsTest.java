package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novaproxy.limits.LimitsSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The limits travel in the function's environment with the rest of the settings: deploy writes
 * {@code toEnvironment} and reads a deployed function back with {@code fromEnvironment}, so the
 * round trip must be exact, and a deployment without limits must get no new variable.
 */
class ProxySettingsLimitsTest {
  @Test
  void should_round_trip_every_limits_setting_through_the_environment() {
    for (LimitsSettings limits :
        List.of(
            LimitsSettings.off(),
            new LimitsSettings("novaproxy-keys", true, null, null, null),
            new LimitsSettings("novaproxy-keys", false, null, null, 2_000_000L),
            new LimitsSettings("t", true, 30, 50_000L, 1_000_000L),
            new LimitsSettings(null, true, Integer.MAX_VALUE, Long.MAX_VALUE, 1L))) {
      ProxySettings s = ProxySettings.defaults().withLimits(limits);
      Map<String, String> env = s.toEnvironment();
      assertThat(ProxySettings.fromEnvironment(env).limits()).as(env.toString()).isEqualTo(limits);
      assertThat(ProxySettings.fromEnvironment(env).toEnvironment()).isEqualTo(env);
    }
  }

  @Test
  void should_write_no_limits_variable_for_a_deployment_without_limits() {
    assertThat(ProxySettings.defaults().toEnvironment().keySet())
        .noneMatch(k -> k.startsWith("NOVA_KEYS") || k.startsWith("NOVA_ANONYMOUS"))
        .doesNotContain(LimitsSettings.ENV_DAILY_TOKEN_BUDGET);
    assertThat(ProxySettings.fromEnvironment(Map.of()).limits()).isEqualTo(LimitsSettings.off());
  }

  @Test
  void should_write_the_documented_variables() {
    Map<String, String> env =
        ProxySettings.defaults()
            .withLimits(new LimitsSettings("keys", false, 10, 20L, 30L))
            .toEnvironment();
    assertThat(env)
        .containsEntry("NOVA_KEYS_TABLE", "keys")
        .containsEntry("NOVA_ANONYMOUS", "deny")
        .containsEntry("NOVA_ANONYMOUS_RPM", "10")
        .containsEntry("NOVA_ANONYMOUS_TOKENS_PER_DAY", "20")
        .containsEntry("NOVA_DAILY_TOKEN_BUDGET", "30");
  }

  @Test
  void should_refuse_malformed_limits_naming_the_variable() {
    assertThatThrownBy(() -> ProxySettings.fromEnvironment(Map.of("NOVA_ANONYMOUS_RPM", "0")))
        .hasMessageContaining("NOVA_ANONYMOUS_RPM must be a positive whole number");
    assertThatThrownBy(
            () -> ProxySettings.fromEnvironment(Map.of("NOVA_ANONYMOUS_RPM", "3000000000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NOVA_ANONYMOUS_RPM must be at most");
    assertThatThrownBy(() -> ProxySettings.fromEnvironment(Map.of("NOVA_DAILY_TOKEN_BUDGET", "x")))
        .hasMessageContaining("NOVA_DAILY_TOKEN_BUDGET");
    assertThatThrownBy(() -> new LimitsSettings(null, true, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new LimitsSettings("  ", true, null, null, null).keysTable()).isNull();
  }
}
