package dev.novaproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /health says which build answers: the version and the commit that --version shows. */
class HealthTest {
  @Test
  void should_report_the_version_and_the_commit() throws Exception {
    var handler =
        new ProxyHandler(
            ProxySettings.defaults(),
            () -> {
              throw new AssertionError("/health never needs the key");
            },
            AccessLog.discarding());
    ProxyResponse r = handler.handle(new ProxyRequest("GET", "/health", Map.of(), new byte[0]));
    assertThat(r.status()).isEqualTo(200);
    var body = new ObjectMapper().readTree(r.body());
    assertThat(body.path("status").asText()).isEqualTo("ok");
    assertThat(body.path("version").asText()).isEqualTo(Version.current());
    assertThat(body.path("commit").asText()).isEqualTo(Version.commit()).isNotEmpty();
  }
}
