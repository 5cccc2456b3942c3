package dev.novaproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's own checks can fail: a CloudWatch request that is not RPC v2 CBOR is refused, and
 * its statistics are CloudWatch's (percentiles by nearest rank).
 */
class CloudWatchCborBridgeTest {
  @Test
  void should_refuse_a_request_that_is_not_rpc_v2_cbor() throws Exception {
    // Nothing is forwarded for a refused request, so no moto is needed behind it.
    try (var bridge = CloudWatchCborBridge.start(URI.create("http://127.0.0.1:9"))) {
      URI op =
          bridge
              .endpoint()
              .resolve("/service/GraniteServiceVersion20100801/operation/DescribeAlarms");
      var http = HttpClient.newHttpClient();
      var json =
          http.send(
              HttpRequest.newBuilder(op)
                  .header("Content-Type", "application/x-amz-json-1.0")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(json.statusCode()).isEqualTo(400);
      assertThat(new CBORMapper().readTree(json.body()).get("__type").asText())
          .isEqualTo("SerializationException");
      assertThat(json.headers().firstValue("smithy-protocol")).hasValue("rpc-v2-cbor");
      assertThat(bridge.operations()).containsExactly("DescribeAlarms");
    }
  }

  @Test
  void should_compute_cloudwatchs_statistics() {
    List<Double> sorted = List.of(1.0, 2.0, 3.0, 4.0, 100.0);
    assertThat(CloudWatchCborBridge.statistic("Sum", sorted)).isEqualTo(110.0);
    assertThat(CloudWatchCborBridge.statistic("SampleCount", sorted)).isEqualTo(5.0);
    assertThat(CloudWatchCborBridge.statistic("Average", sorted)).isEqualTo(22.0);
    assertThat(CloudWatchCborBridge.statistic("p50", sorted)).isEqualTo(3.0);
    assertThat(CloudWatchCborBridge.statistic("p95", sorted)).isEqualTo(100.0);
    assertThat(CloudWatchCborBridge.statistic("p80", sorted)).isEqualTo(4.0);
  }
}
