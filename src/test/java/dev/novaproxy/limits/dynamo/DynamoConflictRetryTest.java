package dev.novaproxy.limits.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.limits.LimitsStore.StoreUnavailable;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What moto never says: another transaction holds a counter. A loopback server answers the first
 * writes as DynamoDB does under contention (a TransactWriteItems cancelled with a
 * TransactionConflict reason; an UpdateItem refused with TransactionConflictException), then
 * accepts; the store must try again until the write is decided, and only a limit may refuse.
 */
class DynamoConflictRetryTest {
  private static final Instant LATER = Instant.now().plus(Duration.ofDays(1));

  private HttpServer dynamo;
  private final AtomicInteger conflictsLeft = new AtomicInteger();
  private final List<String> operations = new CopyOnWriteArrayList<>();
  private DynamoDbClient client;

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    dynamo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    dynamo.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          String op = ex.getRequestHeaders().getFirst("X-Amz-Target").replaceAll(".*\\.", "");
          operations.add(op);
          int status = 200;
          String body = "{}";
          if (conflictsLeft.getAndDecrement() > 0) {
            status = 400;
            body =
                op.equals("TransactWriteItems")
                    ? "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
                        + "\"Message\":\"Transaction cancelled, please refer cancellation reasons for"
                        + " specific reasons [None, TransactionConflict]\",\"CancellationReasons\":"
                        + "[{\"Code\":\"None\"},{\"Code\":\"TransactionConflict\",\"Message\":"
                        + "\"Transaction is ongoing for the item\"}]}"
                    : "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionConflictException\","
                        + "\"message\":\"Transaction is ongoing for the item\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    dynamo.start();
    client =
        DynamoLimitsStore.functionClient()
            .endpointOverride(URI.create("http://127.0.0.1:" + dynamo.getAddress().getPort()))
            .region(Region.US_EAST_1)
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    dynamo.stop(0);
  }

  private DynamoLimitsStore store(Duration retryFor) {
    return new DynamoLimitsStore(client, "t-keys", Clock.systemUTC(), retryFor);
  }

  private static final List<Increment> TWO =
      List.of(
          Increment.always("requests#key:a#2026-11-30", 1, LATER),
          Increment.within("tokens#budget#2026-11-30", 100, 1000, LATER));

  @Test
  void should_try_a_conflicting_transaction_again_until_it_is_decided() {
    conflictsLeft.set(3);
    assertThat(store(Duration.ofSeconds(10)).reserve(TWO)).isEmpty();
    assertThat(operations)
        .containsExactly(
            "TransactWriteItems", "TransactWriteItems", "TransactWriteItems", "TransactWriteItems");
  }

  @Test
  void should_try_a_conflicting_single_write_again() {
    conflictsLeft.set(2);
    store(Duration.ofSeconds(10)).settle(List.of(Increment.always("c", 5, LATER)));
    assertThat(operations).containsExactly("UpdateItem", "UpdateItem", "UpdateItem");
  }

  @Test
  void should_give_up_with_store_unavailable_when_the_conflict_lasts() {
    conflictsLeft.set(Integer.MAX_VALUE);
    assertThatThrownBy(() -> store(Duration.ofMillis(200)).reserve(TWO))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("DynamoDB table t-keys: reserve still conflicted with other writes")
        .hasMessageContaining("TransactionConflict");
    assertThat(operations.size()).isGreaterThan(1);
  }
}
