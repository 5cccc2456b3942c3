package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings' contract with deploy and the Lambda: which upstream hosts the key may go to. */
class ProxySettingsTest {
  @Test
  void should_refuse_an_upstream_host_that_the_environment_does_not_allow() {
    assertThatThrownBy(
            () ->
                ProxySettings.fromEnvironment(
                    Map.of(ProxySettings.ENV_UPSTREAM_URL, "https://nova.internal.example/v1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NOVA_UPSTREAM_ALLOWED_HOSTS");
  }

  @Test
  void should_carry_allowed_hosts_from_deploy_to_the_function_and_back() {
    ProxySettings s =
        ProxySettings.defaults()
            .withAllowedUpstreamHosts(List.of("Nova.Internal.Example", "nova.internal.example"))
            .withUpstream(URI.create("https://nova.internal.example/v1"));
    assertThat(s.allowedUpstreamHosts()).containsExactly("nova.internal.example");
    Map<String, String> env = s.toEnvironment();
    assertThat(env)
        .containsEntry(ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS, "nova.internal.example")
        .containsEntry(ProxySettings.ENV_UPSTREAM_URL, "https://nova.internal.example/v1");
    ProxySettings back = ProxySettings.fromEnvironment(env);
    assertThat(back.allowedUpstreamHosts()).containsExactly("nova.internal.example");
    assertThat(back.checkedUpstream()).isEqualTo(URI.create("https://nova.internal.example/v1"));
  }

  @Test
  void should_not_write_the_variable_when_no_host_is_allowed() {
    assertThat(ProxySettings.defaults().toEnvironment())
        .doesNotContainKey(ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS);
  }

  @Test
  void should_read_a_comma_separated_list_and_refuse_a_malformed_entry() {
    assertThat(
            ProxySettings.allowedUpstreamHostsFromEnvironment(
                Map.of(ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS, " a.example , B.example,,")))
        .containsExactly("a.example", "b.example");
    assertThat(ProxySettings.allowedUpstreamHostsFromEnvironment(Map.of())).isEmpty();
    assertThatThrownBy(
            () ->
                ProxySettings.allowedUpstreamHostsFromEnvironment(
                    Map.of(ProxySettings.ENV_UPSTREAM_ALLOWED_HOSTS, "https://a.example/v1")))
        .hasMessageContaining("host name such as");
  }

  @Test
  void should_not_build_a_proxy_that_would_send_the_key_to_a_host_not_allowed() {
    ProxySettings s = ProxySettings.defaults().withUpstream(URI.create("https://evil.example/v1"));
    assertThatThrownBy(() -> new ProxyHandler(s, () -> "sk-never-fetched", AccessLog.discarding()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evil.example, which is not the Nova API");
  }
}
