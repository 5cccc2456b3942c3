package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aliases' format and rules, and their trip through the function's environment. */
class ModelAliasesTest {
  @Test
  void should_travel_through_the_environment_in_name_order() {
    ProxySettings s =
        ProxySettings.fromEnvironment(
            Map.of(ProxySettings.ENV_MODEL_ALIASES, " small=nova-2-lite-v1 , chat=nova-2-pro-v1"));
    assertThat(s.policy().modelAliases())
        .containsExactly(Map.entry("chat", "nova-2-pro-v1"), Map.entry("small", "nova-2-lite-v1"));
    assertThat(s.toEnvironment())
        .containsEntry(ProxySettings.ENV_MODEL_ALIASES, "chat=nova-2-pro-v1,small=nova-2-lite-v1");
    assertThat(ProxySettings.fromEnvironment(s.toEnvironment()).policy()).isEqualTo(s.policy());
    assertThat(ProxySettings.defaults().toEnvironment())
        .doesNotContainKey(ProxySettings.ENV_MODEL_ALIASES);
  }

  @Test
  void should_refuse_a_malformed_value_naming_the_variable() {
    assertThatThrownBy(
            () ->
                ProxySettings.fromEnvironment(
                    Map.of(ProxySettings.ENV_MODEL_ALIASES, "chat:nova-2-pro-v1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "NOVA_MODEL_ALIASES: a model alias is NAME=MODEL, e.g. chat=nova-2-lite-v1, not"
                + " 'chat:nova-2-pro-v1'");
  }

  @Test
  void should_refuse_chains_loops_blanks_and_contradictions() {
    assertThatThrownBy(() -> ModelAliases.parse(List.of("a=b", "b=nova-2-pro-v1")))
        .hasMessage("the model alias a=b must name a Nova model, not an alias");
    assertThatThrownBy(() -> ModelAliases.parse(List.of("a=a")))
        .hasMessage("the model alias a=a must name a Nova model, not an alias");
    assertThatThrownBy(() -> ModelAliases.parse(List.of("chat=")))
        .hasMessageContaining("'' cannot be a model name in an alias");
    assertThatThrownBy(() -> ModelAliases.parse(List.of("chat=x", "chat=y")))
        .hasMessage("the model alias chat is given twice (x and y)");
    assertThat(ModelAliases.parse(List.of("chat=x", "chat=x")))
        .containsExactly(Map.entry("chat", "x"));
  }
}
