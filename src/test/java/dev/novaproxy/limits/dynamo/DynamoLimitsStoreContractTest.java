package dev.novaproxy.limits.dynamo;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.LimitsStoreContract;
import dev.novaproxy.testing.MotoServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The scenarios every limits store must pass, run against the DynamoDB store in a fresh table of
 * {@link SerialMoto} (moto one request at a time: its threaded server does not isolate
 * transactions, DynamoDB does).
 */
class DynamoLimitsStoreContractTest extends LimitsStoreContract {
  private static final String TABLE = "novaproxy-keys";
  private static SerialMoto moto;
  private DynamoDbClient client;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = SerialMoto.start();
  }

  @AfterAll
  static void stopMoto() throws Exception {
    moto.close();
  }

  @Override
  protected LimitsStore newStore(Clock clock) throws Exception {
    moto.reset();
    try (var aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()))) {
      new KeysTable(
              aws,
              new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
          .apply(
              new KeysTable.Desired(TABLE, true, new ResourceNames("novaproxy").tags()),
              Optional.empty(),
              PlanStep.create("keys-table", TABLE));
    }
    client =
        DynamoLimitsStore.functionClient()
            .endpointOverride(moto.endpoint())
            .region(Region.US_EAST_1)
            .build();
    return new DynamoLimitsStore(client, TABLE, clock);
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }
}
