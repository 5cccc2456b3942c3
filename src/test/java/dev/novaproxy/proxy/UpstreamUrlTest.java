package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamUrlTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://api.nova.amazon.com/v1",
        "https://nova.internal.example:8443/v1",
        "http://127.0.0.1:18099/v1",
        "http://localhost:8080/v1",
        "http://[::1]:9000/v1"
      })
  void should_accept_https_anywhere_and_http_only_to_this_machine(String url) {
    assertThat(UpstreamUrl.parse(url).toString()).isEqualTo(url);
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
}
