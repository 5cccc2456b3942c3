package dev.novaproxy.limits.dynamo;

import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The limits store of a deployment: one DynamoDB table, partition key {@code pk} (a string), no
 * sort key. Three kinds of items share it:
 *
 * <ul>
 *   <li>{@code key#<sha256 hex>}: a client key (name, rpm, tokensPerDay, models, expires, created,
 *       revoked), found by the hash of what a caller sends;
 *   <li>{@code name#<NAME>}: the hash of the key with that name; created with the key in one
 *       transaction, so that two keys cannot share a name;
 *   <li>{@code ctr#<counter>}: a usage counter {@code n}, with {@code expiresAt} (epoch seconds,
 *       the table's TTL attribute) and {@code updated} (epoch seconds of the last change).
 * </ul>
 *
 * <p>The hot path is at most two writes per request: {@link #reserve} (the counters' limits are
 * conditions, so it is one atomic write, with no read before it) and {@link #settle}. One counter
 * takes a plain UpdateItem (a transaction costs twice the write units and adds nothing for one
 * item); two or more take one TransactWriteItems. Either needs only {@code dynamodb:UpdateItem};
 * key and counter reads need {@code dynamodb:GetItem}.
 *
 * <p>DynamoDB deletes expired counters late (within days), so {@link #read} treats a counter past
 * its {@code expiresAt} as 0; the limits core never reuses a counter after its window, so the late
 * deletion cannot make a limit stricter.
 */
public final class DynamoLimitsStore implements LimitsStore {
  /** The partition key (a string); the table has no sort key. */
  public static final String PK = "pk";

  static final String KEY = "key#";
  static final String NAME = "name#";
  static final String COUNTER = "ctr#";

  /** The TTL attribute: epoch seconds after which DynamoDB may delete a counter. */
  public static final String TTL_ATTRIBUTE = "expiresAt";

  private static final String REFUSED = "ConditionalCheckFailed";

  /** DynamoDB's limit on the items of one transaction. */
  static final int MAX_ITEMS = 100;

  /**
   * How long a write is tried again while DynamoDB answers that another transaction holds one of
   * its counters (TransactionConflict), or throttles: every reservation must be decided by the
   * limits alone. A refused limit is an answer, never tried again. Within the function's 3 s per
   * call, so a DynamoDB that stays in conflict still ends in StoreUnavailable, not a timeout.
   */
  static final Duration RETRY_FOR = Duration.ofSeconds(2);

  /** A usage counter as the table holds it, for the CLI's {@code keys list} and {@code usage}. */
  public record Counter(String name, long value, Instant expiresAt, Instant updated) {}

  private final DynamoDbClient client;
  private final String table;
  private final Clock clock;
  private final Duration retryFor;

  public DynamoLimitsStore(DynamoDbClient client, String table) {
    this(client, table, Clock.systemUTC());
  }

  public DynamoLimitsStore(DynamoDbClient client, String table, Clock clock) {
    this(client, table, clock, RETRY_FOR);
  }

  DynamoLimitsStore(DynamoDbClient client, String table, Clock clock, Duration retryFor) {
    this.client = client;
    this.table = table;
    this.clock = clock;
    this.retryFor = retryFor;
  }

  /**
   * The store the function uses: {@link #functionClient()} with the region and credentials of the
   * function's environment.
   */
  public static DynamoLimitsStore forFunction(String table) {
    return new DynamoLimitsStore(functionClient().build(), table);
  }

  /**
   * The client the function uses: the url-connection HTTP client (no Apache or Netty in the Lambda
   * artifact), and every call bounded well inside a request's own timeout, so that a slow or
   * unreachable DynamoDB becomes the proxy's 503 rather than a function timeout with no answer.
   * Standard retries (3 attempts) rather than the DynamoDB client's legacy 9, which under an outage
   * would spend the whole call budget on back-off.
   */
  public static DynamoDbClientBuilder functionClient() {
    return DynamoDbClient.builder()
        .httpClientBuilder(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(1))
                .socketTimeout(Duration.ofSeconds(2)))
        .overrideConfiguration(
            c ->
                c.retryStrategy(RetryMode.STANDARD)
                    .apiCallTimeout(Duration.ofSeconds(3))
                    .apiCallAttemptTimeout(Duration.ofSeconds(1)));
  }

  public String table() {
    return table;
  }

  @Override
  public Optional<ClientKey> findKey(String hashHex) {
    Map<String, AttributeValue> item =
        call(
            "read a key",
            () ->
                client
                    .getItem(r -> r.tableName(table).key(pk(KEY + hashHex)).consistentRead(true))
                    .item());
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(KeyItems.key(item));
  }

  /** The key with this name, revoked and expired ones included; for the CLI. */
  public Optional<ClientKey> keyNamed(String name) {
    Optional<String> hash = hashOf(name);
    return hash.isEmpty() ? Optional.empty() : findKey(hash.get());
  }

  private Optional<String> hashOf(String name) {
    Map<String, AttributeValue> item =
        call(
            "read a key name",
            () ->
                client
                    .getItem(r -> r.tableName(table).key(pk(NAME + name)).consistentRead(true))
                    .item());
    return item == null || item.isEmpty()
        ? Optional.empty()
        : Optional.of(item.get(KeyItems.HASH).s());
  }

  @Override
  public void createKey(ClientKey key) {
    String exists = "attribute_not_exists(" + PK + ")";
    List<TransactWriteItem> items =
        List.of(
            TransactWriteItem.builder()
                .put(
                    Put.builder()
                        .tableName(table)
                        .item(KeyItems.item(KEY + key.hashHex(), key))
                        .conditionExpression(exists)
                        .build())
                .build(),
            TransactWriteItem.builder()
                .put(
                    Put.builder()
                        .tableName(table)
                        .item(KeyItems.nameItem(NAME + key.name(), key))
                        .conditionExpression(exists)
                        .build())
                .build());
    try {
      call("create a key", () -> client.transactWriteItems(r -> r.transactItems(items)));
    } catch (TransactionCanceledException cancelled) {
      List<String> codes = codes(cancelled);
      if (codes.size() == 2 && REFUSED.equals(codes.get(1))) {
        throw new IllegalArgumentException("a key named " + key.name() + " exists");
      }
      if (!codes.isEmpty() && REFUSED.equals(codes.get(0))) {
        throw new IllegalArgumentException("a key with the same hash exists");
      }
      throw unavailable("create a key", cancelled);
    }
  }

  @Override
  public List<ClientKey> listKeys() {
    List<ClientKey> keys = new ArrayList<>();
    scan(KEY, item -> keys.add(KeyItems.key(item)));
    keys.sort(Comparator.comparing(ClientKey::created).thenComparing(ClientKey::name));
    return keys;
  }

  /** Every counter the table holds, expired ones not yet deleted included; for the CLI. */
  public List<Counter> counters() {
    List<Counter> out = new ArrayList<>();
    scan(
        COUNTER,
        item ->
            out.add(
                new Counter(
                    item.get(PK).s().substring(COUNTER.length()),
                    number(item.get(KeyItems.N)),
                    epochSeconds(item.get(TTL_ATTRIBUTE)),
                    epochSeconds(item.get(KeyItems.UPDATED)))));
    out.sort(Comparator.comparing(Counter::name));
    return out;
  }

  /** A Scan of the items whose pk starts with {@code prefix}, page by page; consistent reads. */
  private void scan(String prefix, java.util.function.Consumer<Map<String, AttributeValue>> each) {
    call(
        "list items",
        () -> {
          client
              .scanPaginator(
                  r ->
                      r.tableName(table)
                          .consistentRead(true)
                          .filterExpression("begins_with(#pk, :prefix)")
                          .expressionAttributeNames(Map.of("#pk", PK))
                          .expressionAttributeValues(
                              Map.of(":prefix", AttributeValue.fromS(prefix))))
              .items()
              .forEach(each);
          return null;
        });
  }

  @Override
  public boolean revokeKey(String name, Instant when) {
    Optional<String> hash = hashOf(name);
    if (hash.isEmpty()) {
      return false;
    }
    try {
      call(
          "revoke a key",
          () ->
              client.updateItem(
                  r ->
                      r.tableName(table)
                          .key(pk(KEY + hash.get()))
                          // A second revoke keeps the first time.
                          .updateExpression("SET #r = if_not_exists(#r, :when)")
                          .conditionExpression("attribute_exists(#pk)")
                          .expressionAttributeNames(Map.of("#r", KeyItems.REVOKED, "#pk", PK))
                          .expressionAttributeValues(
                              Map.of(":when", AttributeValue.fromS(when.toString())))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false; // a name without its key: nothing to revoke
    }
  }

  @Override
  public OptionalInt reserve(List<Increment> increments) {
    checkCounters(increments);
    for (int i = 0; i < increments.size(); i++) {
      Increment inc = increments.get(i);
      // attribute_not_exists(n) would let a first request bigger than the whole limit through.
      if (limited(inc) && inc.amount() > inc.limit()) {
        return OptionalInt.of(i);
      }
    }
    if (increments.isEmpty()) {
      return OptionalInt.empty();
    }
    return write("reserve", increments);
  }

  @Override
  public void settle(List<Increment> increments) {
    checkCounters(increments);
    List<Increment> changes = new ArrayList<>();
    for (Increment inc : increments) {
      if (inc.amount() != 0) {
        changes.add(Increment.always(inc.counter(), inc.amount(), inc.expiresAt()));
      }
    }
    if (changes.isEmpty()) {
      return; // the reservation was exact: nothing to write
    }
    write("settle", changes);
  }

  @Override
  public long read(String counter) {
    Map<String, AttributeValue> item =
        call(
            "read a counter",
            () ->
                client
                    .getItem(
                        r -> r.tableName(table).key(pk(COUNTER + counter)).consistentRead(true))
                    .item());
    if (item == null || item.isEmpty()) {
      return 0;
    }
    Instant expires = epochSeconds(item.get(TTL_ATTRIBUTE));
    if (expires != null && !clock.instant().isBefore(expires)) {
      return 0; // expired, not yet deleted by DynamoDB's TTL
    }
    return number(item.get(KeyItems.N));
  }

  /**
   * One write: an UpdateItem for one counter, a TransactWriteItems for several. A failed condition
   * (ConditionalCheckFailed, or that reason in a cancelled transaction) names the refused
   * increment. A conflict with another transaction, or throttling, is tried again after a short
   * random pause, for up to {@link #RETRY_FOR}.
   */
  private OptionalInt write(String what, List<Increment> increments) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    for (int attempt = 1; ; attempt++) {
      String retryable;
      try {
        if (increments.size() == 1) {
          call(what, () -> client.updateItem(updateRequest(increments.get(0))));
        } else {
          List<TransactWriteItem> items = new ArrayList<>();
          for (Increment inc : increments) {
            items.add(TransactWriteItem.builder().update(update(inc)).build());
          }
          call(what, () -> client.transactWriteItems(r -> r.transactItems(items)));
        }
        return OptionalInt.empty();
      } catch (ConditionalCheckFailedException e) {
        return OptionalInt.of(0);
      } catch (TransactionConflictException e) {
        retryable = "TransactionConflict";
      } catch (TransactionCanceledException cancelled) {
        List<String> codes = codes(cancelled);
        int refused = codes.indexOf(REFUSED);
        if (refused >= 0) {
          return OptionalInt.of(refused);
        }
        boolean transientOnly =
            !codes.isEmpty() && codes.stream().allMatch(TRANSIENT_REASONS::contains);
        if (!transientOnly) {
          throw new StoreUnavailable(
              "DynamoDB table " + table + ": " + what + " was cancelled " + codes, cancelled);
        }
        retryable = codes.toString();
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailable(
            "DynamoDB table "
                + table
                + ": "
                + what
                + " still conflicted with other writes ("
                + retryable
                + ", "
                + attempt
                + " attempts in "
                + retryFor.toMillis()
                + " ms)",
            null);
      }
      pause(attempt);
    }
  }

  /** Cancellation reasons that say "try again", and None for the items that were fine. */
  private static final Set<String> TRANSIENT_REASONS =
      Set.of("None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded");

  private UpdateItemRequest updateRequest(Increment inc) {
    Update u = update(inc);
    return UpdateItemRequest.builder()
        .tableName(u.tableName())
        .key(u.key())
        .updateExpression(u.updateExpression())
        .conditionExpression(u.conditionExpression())
        .expressionAttributeNames(u.expressionAttributeNames())
        .expressionAttributeValues(u.expressionAttributeValues())
        .build();
  }

  /** The ADD of one increment; with a limit, the condition that keeps the total within it. */
  private Update update(Increment inc) {
    Map<String, String> names = new HashMap<>();
    names.put("#n", KeyItems.N);
    names.put("#e", TTL_ATTRIBUTE);
    names.put("#u", KeyItems.UPDATED);
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":amount", AttributeValue.fromN(Long.toString(inc.amount())));
    values.put(":expires", AttributeValue.fromN(Long.toString(inc.expiresAt().getEpochSecond())));
    values.put(":now", AttributeValue.fromN(Long.toString(clock.instant().getEpochSecond())));
    Update.Builder u =
        Update.builder()
            .tableName(table)
            .key(pk(COUNTER + inc.counter()))
            // A counter's first expiry stays: the window it counts is fixed when it is made.
            .updateExpression("ADD #n :amount SET #e = if_not_exists(#e, :expires), #u = :now");
    if (limited(inc)) {
      values.put(":max", AttributeValue.fromN(Long.toString(inc.limit() - inc.amount())));
      u.conditionExpression("attribute_not_exists(#n) OR #n <= :max");
    }
    return u.expressionAttributeNames(names).expressionAttributeValues(values).build();
  }

  private static boolean limited(Increment inc) {
    return inc.limit() != Increment.NO_LIMIT;
  }

  /**
   * DynamoDB refuses a transaction that names one item twice, and more than {@value #MAX_ITEMS}
   * items; both are the caller's mistake, said plainly.
   */
  private static void checkCounters(List<Increment> increments) {
    if (increments.size() > MAX_ITEMS) {
      throw new IllegalArgumentException(
          "at most " + MAX_ITEMS + " counters change at once, not " + increments.size());
    }
    Set<String> seen = new HashSet<>();
    for (Increment inc : increments) {
      if (!seen.add(inc.counter())) {
        throw new IllegalArgumentException("counter " + inc.counter() + " appears twice");
      }
    }
  }

  private static List<String> codes(TransactionCanceledException e) {
    List<String> codes = new ArrayList<>();
    if (e.hasCancellationReasons()) {
      for (CancellationReason r : e.cancellationReasons()) {
        codes.add(r.code() == null ? "None" : r.code());
      }
    }
    return codes;
  }

  /** A random pause growing with the attempt, at most 50 ms: conflicts last milliseconds. */
  private static void pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(50, 10L * attempt) + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted while retrying a DynamoDB transaction", e);
    }
  }

  /**
   * Runs one call; a DynamoDB error, a missing table or no answer at all becomes {@link
   * StoreUnavailable} naming the table and what was being done. A refused condition, a cancelled
   * transaction and a conflict are answers, not failures: they pass through for the caller.
   */
  private <T> T call(String what, Supplier<T> work) {
    try {
      return work.get();
    } catch (ConditionalCheckFailedException
        | TransactionCanceledException
        | TransactionConflictException answer) {
      throw answer;
    } catch (SdkException e) {
      throw unavailable(what, e);
    }
  }

  private StoreUnavailable unavailable(String what, SdkException e) {
    if (e instanceof ResourceNotFoundException) {
      return new StoreUnavailable(
          "DynamoDB table " + table + " does not exist (while trying to " + what + ")", e);
    }
    String why =
        e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
            ? "DynamoDB did not answer in time (" + e.getMessage() + ")"
            : e.getMessage();
    return new StoreUnavailable("DynamoDB table " + table + ": cannot " + what + ": " + why, e);
  }

  private static Map<String, AttributeValue> pk(String value) {
    return Map.of(PK, AttributeValue.fromS(value));
  }

  private static long number(AttributeValue v) {
    return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
  }

  private static Instant epochSeconds(AttributeValue v) {
    return v == null || v.n() == null ? null : Instant.ofEpochSecond(Long.parseLong(v.n()));
  }
}
