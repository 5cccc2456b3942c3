package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamUrlTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://api.nova.amazon.com/v1",
        "https://API.Nova.Amazon.com:443/v1",
        "http://127.0.0.1:18099/v1",
        "https://127.0.0.1:18099/v1",
        "http://127.5.6.7:18099/v1",
        "http://localhost:8080/v1",
        "https://localhost:8443/v1",
        "http://[::1]:9000/v1"
      })
  void should_accept_the_nova_api_and_this_machine_by_default(String url) {
    assertThat(UpstreamUrl.parse(url).toString()).isEqualTo(url);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://nova.internal.example:8443/v1",
        "https://api.nova.amazon.com.evil.example/v1",
        "https://evil.example/api.nova.amazon.com/v1",
        "https://api.nova.amazon.com./v1",
        "https://10.0.0.5/v1",
        "https://localhost.evil.example/v1",
        "https://128.0.0.1/v1"
      })
  void should_refuse_any_other_host_naming_the_opt_in(String url) {
    assertThatThrownBy(() -> UpstreamUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not the Nova API")
        .hasMessageContaining("--allow-upstream-host")
        .hasMessageContaining("NOVA_UPSTREAM_ALLOWED_HOSTS");
  }

  @Test
  void should_accept_an_explicitly_allowed_host_over_https_only() {
    List<String> allowed = List.of("nova.internal.example");
    assertThat(UpstreamUrl.parse("https://Nova.Internal.Example:8443/v1", allowed).getHost())
        .isEqualTo("Nova.Internal.Example");
    assertThatThrownBy(() -> UpstreamUrl.parse("http://nova.internal.example/v1", allowed))
        .hasMessageContaining("unencrypted");
    assertThatThrownBy(() -> UpstreamUrl.parse("https://other.example/v1", allowed))
        .hasMessageContaining("other.example, which is not the Nova API");
  }

  @Test
  void should_warn_only_for_explicitly_allowed_hosts() {
    List<String> allowed = List.of("nova.internal.example");
    assertThat(
            UpstreamUrl.isExplicitlyAllowedHost(
                UpstreamUrl.parse("https://nova.internal.example/v1", allowed)))
        .isTrue();
    assertThat(UpstreamUrl.warning(UpstreamUrl.parse("https://nova.internal.example/v1", allowed)))
        .isEqualTo(
            "warning: the Nova key will be sent to nova.internal.example, which is not the Nova API");
    assertThat(
            UpstreamUrl.isExplicitlyAllowedHost(
                UpstreamUrl.parse("https://api.nova.amazon.com/v1")))
        .isFalse();
    assertThat(UpstreamUrl.isExplicitlyAllowedHost(UpstreamUrl.parse("http://127.0.0.1:1/v1")))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://api.nova.amazon.com/v1",
        "http://10.0.0.5/v1",
        "ftp://api.nova.amazon.com/v1",
        "api.nova.amazon.com/v1",
        "https://api.nova.amazon.com/v1?key=x",
        "https://api.nova.amazon.com/v1#frag",
        "https://exa mple.com/v1",
        "http://localhost.evil.example/v1"
      })
  void should_refuse_urls_that_could_expose_the_key_or_are_not_urls(String url) {
    assertThatThrownBy(() -> UpstreamUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://api.nova.amazon.com/v1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://alice:s3cr3t-pw@api.nova.amazon.com/v1",
        "https://api.nova.amazon.com@evil.example/v1",
        "http://alice:s3cr3t-pw@127.0.0.1:8080/v1",
        "https://alice:s3cr3t pw@api.nova.amazon.com/v1",
        "https://alice:s3cr3t/pw@api.nova.amazon.com/v1",
        "https://api.nova.amazon.com/v1?token=s3cr3t-pw"
      })
  void should_refuse_user_info_and_never_show_it_or_a_query(String url) {
    assertThatThrownBy(() -> UpstreamUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("s3cr3t")
        .doesNotContain("alice")
        .doesNotContain("api.nova.amazon.com@");
  }

  @Test
  void should_redact_user_info_query_and_fragment() {
    assertThat(UpstreamUrl.redacted("https://u:p@ss@host.example:8443/v1?k=1#f"))
        .isEqualTo("https://host.example:8443/v1");
    assertThat(UpstreamUrl.redacted("https://api.nova.amazon.com/v1"))
        .isEqualTo("https://api.nova.amazon.com/v1");
  }

  @Test
  void should_take_allowed_hosts_as_bare_host_names_only() {
    assertThat(UpstreamUrl.allowedHost(" Nova.Internal.Example "))
        .isEqualTo("nova.internal.example");
    assertThat(UpstreamUrl.allowedHost("10.0.0.5")).isEqualTo("10.0.0.5");
    for (String bad :
        List.of("https://nova.example", "nova.example:443", "nova.example/v1", "", "a b")) {
      assertThatThrownBy(() -> UpstreamUrl.allowedHost(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("host name such as nova.internal.example");
    }
  }
}
