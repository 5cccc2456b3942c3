package dev.novaproxy.limits.dynamo;

import dev.novaproxy.limits.ClientKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A client key as a DynamoDB item and back. Times are ISO-8601 strings (readable in the console);
 * an unset limit, an empty model list and an unset time are left out (DynamoDB has no empty sets).
 */
final class KeyItems {
  static final String NAME = "name";
  static final String HASH = "hash";
  static final String RPM = "rpm";
  static final String TOKENS_PER_DAY = "tokensPerDay";
  static final String MODELS = "models";
  static final String EXPIRES = "expires";
  static final String CREATED = "created";
  static final String REVOKED = "revoked";
  static final String N = "n";
  static final String UPDATED = "updated";

  static Map<String, AttributeValue> item(String pk, ClientKey key) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(DynamoLimitsStore.PK, AttributeValue.fromS(pk));
    item.put(NAME, AttributeValue.fromS(key.name()));
    if (key.rpm() != null) {
      item.put(RPM, AttributeValue.fromN(key.rpm().toString()));
    }
    if (key.tokensPerDay() != null) {
      item.put(TOKENS_PER_DAY, AttributeValue.fromN(key.tokensPerDay().toString()));
    }
    if (!key.models().isEmpty()) {
      item.put(MODELS, AttributeValue.fromSs(key.models().stream().sorted().toList()));
    }
    putTime(item, EXPIRES, key.expires());
    putTime(item, CREATED, key.created());
    putTime(item, REVOKED, key.revoked());
    return item;
  }

  /** The item that reserves a name, pointing at the key's hash. */
  static Map<String, AttributeValue> nameItem(String pk, ClientKey key) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(DynamoLimitsStore.PK, AttributeValue.fromS(pk));
    item.put(HASH, AttributeValue.fromS(key.hashHex()));
    putTime(item, CREATED, key.created());
    return item;
  }

  static ClientKey key(Map<String, AttributeValue> item) {
    String pk = item.get(DynamoLimitsStore.PK).s();
    return new ClientKey(
        item.get(NAME).s(),
        pk.substring(DynamoLimitsStore.KEY.length()),
        item.containsKey(RPM) ? Integer.valueOf(item.get(RPM).n()) : null,
        item.containsKey(TOKENS_PER_DAY) ? Long.valueOf(item.get(TOKENS_PER_DAY).n()) : null,
        item.containsKey(MODELS) ? Set.copyOf(item.get(MODELS).ss()) : Set.of(),
        time(item, EXPIRES),
        time(item, CREATED),
        time(item, REVOKED));
  }

  private static void putTime(Map<String, AttributeValue> item, String name, Instant t) {
    if (t != null) {
      item.put(name, AttributeValue.fromS(t.toString()));
    }
  }

  private static Instant time(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.s() == null ? null : Instant.parse(v.s());
  }

  private KeyItems() {}
}
