package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A minute-long answer through the function URL door: past the HTTP API's 30 s and past the proxy's
 * 28 s timeout (which on this door bounds only silence), each event delivered as Nova writes it.
 * Long by nature, hence an integration test.
 */
class LongStreamIT {
  @Test
  void should_stream_a_sixty_second_answer_whole_and_as_it_comes() throws Exception {
    try (FakeNova nova = FakeNova.start().requireKey(LoopUnderTest.KEY);
        LoopUnderTest loop = LoopUnderTest.start(nova, Map.of())) {
      String[] deltas = IntStream.rangeClosed(0, 60).mapToObj(i -> " t" + i).toArray(String[]::new);
      nova.enqueue(Reply.stream(Duration.ofSeconds(1), deltas));
      FakeRuntimeApi api = loop.api;
      String id =
          api.enqueue(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), Duration.ofSeconds(120));
      FakeRuntimeApi.Response r = api.awaitResponse(id, Duration.ofSeconds(150));

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.trailers()).isEmpty();
      assertThat(r.bodyText())
          .contains("\" t0\"")
          .contains("\" t60\"")
          .endsWith("data: [DONE]\n\n");
      List<FakeRuntimeApi.Chunk> events =
          r.chunks().stream().filter(c -> c.text().contains("\" t")).toList();
      assertThat(events).hasSize(61); // one chunk per event: nothing held back and batched
      long spreadMillis = (events.get(60).nanos() - events.get(0).nanos()) / 1_000_000;
      System.out.printf("FIGURES 60-second stream: first to last event %d ms%n", spreadMillis);
      assertThat(spreadMillis).isGreaterThanOrEqualTo(59_000);
    }
  }
}
