package dev.novaproxy.dist;

import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.limits.LimitsStore.StoreUnavailable;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.secrets.SecretsManagerSource;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Run by {@link LambdaArtifactIT} in a JVM whose class path is the Lambda artifact and this class
 * only: every AWS call the function makes, through the artifact's own classes, so that a class the
 * build left out would fail here. Prints one line per call; prints no secret.
 *
 * <p>Arguments: the endpoint (moto), the keys table, the secret's name.
 */
public final class LambdaArtifactProbe {
  public static void main(String[] args) {
    URI endpoint = URI.create(args[0]);
    String table = args[1];
    Instant later = Instant.now().plusSeconds(3600);
    var store =
        new DynamoLimitsStore(
            DynamoLimitsStore.functionClient().endpointOverride(endpoint).build(), table);
    System.out.println("findKey " + store.findKey("0".repeat(64)).isPresent());
    var one = List.of(Increment.within("a", 1, 1, later));
    System.out.println("reserve one " + store.reserve(one)); // UpdateItem
    System.out.println("reserve one again " + store.reserve(one)); // its condition fails
    var two = List.of(Increment.always("c", 1, later), Increment.within("b", 1, 1, later));
    System.out.println("reserve two " + store.reserve(two)); // TransactWriteItems
    System.out.println("reserve two again " + store.reserve(two)); // cancelled, with reasons
    store.settle(List.of(Increment.always("c", -1, later)));
    store.settle(List.of(Increment.always("b", -1, later), Increment.always("c", 5, later)));
    System.out.println("read " + store.read("b") + " " + store.read("c"));
    try {
      new DynamoLimitsStore(
              DynamoLimitsStore.functionClient().endpointOverride(endpoint).build(), "nope")
          .read("x");
    } catch (StoreUnavailable e) {
      System.out.println("missing table " + e.getMessage());
    }

    var secret =
        new SecretsManagerSource(
            args[2],
            () ->
                SecretsManagerClient.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .endpointOverride(endpoint)
                    .build());
    System.out.println("secret length " + secret.fetch().length());

    // AWS's own endpoints, as in Lambda: resolved by the endpoint rules; unreachable here.
    try {
      DynamoLimitsStore.forFunction(table).read("x");
      System.out.println("aws endpoint answered");
    } catch (StoreUnavailable e) {
      System.out.println("aws endpoint unreachable");
    }
  }

  private LambdaArtifactProbe() {}
}
