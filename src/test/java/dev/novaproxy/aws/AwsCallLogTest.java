package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.MotoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MotoServer.class)
class AwsCallLogTest {
  @Test
  void should_count_secret_calls_without_keeping_their_requests() {
    try (var aws =
        new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      new ApiKeySecret(aws)
          .store("backend/NovaApiKey", "sk-kept-nowhere-77", new ResourceNames("novaproxy"));
      assertThat(aws.calls().calls())
          .isNotEmpty()
          .allSatisfy(
              c -> {
                assertThat(c.service()).isEqualTo("SecretsManager");
                assertThat(c.request()).isNull();
              });
      assertThat(aws.calls().calls())
          .extracting(AwsCallLog.Call::operation)
          .contains("CreateSecret");
    }
  }
}
