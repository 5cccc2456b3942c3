package dev.novaproxy.aws;

import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ContinuousBackupsUnavailableException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * The deployment's DynamoDB table of client keys and usage counters ({@link DynamoLimitsStore}
 * describes its items): on-demand billing (no capacity to size; an idle table costs its storage
 * only), TTL on the counters' {@code expiresAt}, point-in-time recovery (the keys cannot be made
 * again: only their hashes are stored), tagged as the deployment's. deploy creates it and mends
 * those three settings; only {@code destroy --delete-data} deletes it, since it holds data.
 */
public final class KeysTable {
  public static final String RESOURCE = "keys-table";

  /** What deploy wants: the table (when {@code enabled}), with these tags. */
  public record Desired(String name, boolean enabled, Map<String, String> tags) {}

  /**
   * The table as DynamoDB holds it, with its TTL ({@code ttlAttribute} null when off) and
   * point-in-time recovery status.
   */
  public record Current(
      TableDescription table,
      String ttlStatus,
      String ttlAttribute,
      String recoveryStatus,
      Map<String, String> tags) {

    public String arn() {
      return table.tableArn();
    }

    boolean onDemand() {
      return table.billingModeSummary() != null
          && table.billingModeSummary().billingMode() == BillingMode.PAY_PER_REQUEST;
    }

    boolean ttlOnExpiresAt() {
      return DynamoLimitsStore.TTL_ATTRIBUTE.equals(ttlAttribute)
          && ("ENABLED".equals(ttlStatus) || "ENABLING".equals(ttlStatus));
    }

    boolean recoveryOn() {
      return "ENABLED".equals(recoveryStatus);
    }

    /** "on-demand, TTL on expiresAt, point-in-time recovery on": for status. */
    public String summary() {
      return (onDemand() ? "on-demand" : "provisioned")
          + ", TTL "
          + (ttlOnExpiresAt() ? "on " + ttlAttribute : "off")
          + ", point-in-time recovery "
          + (recoveryOn() ? "on" : "off");
    }
  }

  private final AwsClients aws;
  private final Backoff backoff;

  /**
   * @param backoff how long to wait for the table to become active and its backups available
   */
  public KeysTable(AwsClients aws, Backoff backoff) {
    this.aws = aws;
    this.backoff = backoff;
  }

  /** The table and its TTL, recovery and tags; empty when there is no table of that name. */
  public Optional<Current> read(String name) {
    TableDescription table;
    try {
      table = aws.dynamodb().describeTable(r -> r.tableName(name)).table();
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    var ttl = aws.dynamodb().describeTimeToLive(r -> r.tableName(name)).timeToLiveDescription();
    var backups =
        aws.dynamodb()
            .describeContinuousBackups(r -> r.tableName(name))
            .continuousBackupsDescription();
    String recovery =
        backups == null || backups.pointInTimeRecoveryDescription() == null
            ? null
            : backups.pointInTimeRecoveryDescription().pointInTimeRecoveryStatusAsString();
    return Optional.of(
        new Current(
            table,
            ttl == null ? null : ttl.timeToLiveStatusAsString(),
            ttl == null ? null : ttl.attributeName(),
            recovery,
            tags(table.tableArn())));
  }

  /** The table and its tags only (two reads), for the {@code keys} commands. */
  public Optional<Map<String, String>> tagsOf(String name) {
    try {
      return Optional.of(
          tags(aws.dynamodb().describeTable(r -> r.tableName(name)).table().tableArn()));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  private Map<String, String> tags(String arn) {
    Map<String, String> tags = new HashMap<>();
    String next = null;
    do {
      String token = next;
      var page = aws.dynamodb().listTagsOfResource(r -> r.resourceArn(arn).nextToken(token));
      page.tags().forEach(t -> tags.put(t.key(), t.value()));
      next = page.nextToken();
    } while (next != null);
    return tags;
  }

  /**
   * The step for the table, or empty when there is nothing to say (no table and none wanted). A
   * table that is no longer wanted ({@code --no-keys}) is kept: it holds keys and usage.
   */
  public Optional<PlanStep> plan(Desired want, Optional<Current> have, ResourceNames names) {
    if (have.isEmpty()) {
      return want.enabled()
          ? Optional.of(
              PlanStep.create(
                  RESOURCE,
                  want.name() + " (on-demand, TTL on expiresAt, point-in-time recovery on)"))
          : Optional.empty();
    }
    Current c = have.get();
    if (!names.owns(c.tags())) {
      if (want.enabled()) {
        throw ExecutionRole.notOurs("A DynamoDB table named " + want.name(), names);
      }
      return Optional.empty();
    }
    if (!want.enabled()) {
      return Optional.of(
          PlanStep.unchanged(
              RESOURCE,
              want.name() + " (kept, not used: --no-keys; 'destroy --delete-data' deletes it)"));
    }
    if (c.table().tableStatus() == TableStatus.DELETING) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The DynamoDB table "
              + want.name()
              + " is being deleted; run deploy again once it is gone.");
    }
    checkKeySchema(c.table());
    List<String> changes = new ArrayList<>();
    if (!c.onDemand()) {
      changes.add("billing provisioned -> on-demand");
    }
    if (!c.ttlOnExpiresAt()) {
      changes.add(
          "TTL "
              + (c.ttlAttribute() == null || "DISABLED".equals(c.ttlStatus())
                  ? "off"
                  : "on " + c.ttlAttribute())
              + " -> on "
              + DynamoLimitsStore.TTL_ATTRIBUTE);
    }
    if (!c.recoveryOn()) {
      changes.add("point-in-time recovery off -> on");
    }
    return Optional.of(PlanStep.updateIf(RESOURCE, want.name(), changes));
  }

  /** The store's items need exactly this key: pk, a string, and no sort key. */
  private static void checkKeySchema(TableDescription t) {
    boolean ok =
        t.keySchema().size() == 1
            && t.keySchema().get(0).attributeName().equals(DynamoLimitsStore.PK)
            && t.keySchema().get(0).keyType() == KeyType.HASH
            && t.attributeDefinitions().stream()
                .anyMatch(
                    a ->
                        a.attributeName().equals(DynamoLimitsStore.PK)
                            && a.attributeType() == ScalarAttributeType.S);
    if (!ok) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The DynamoDB table "
              + t.tableName()
              + " does not have the key novaproxy needs (a string partition key '"
              + DynamoLimitsStore.PK
              + "', no sort key); delete it or choose another --name.");
    }
  }

  /** Creates the table or mends it as planned; returns its ARN. */
  public String apply(Desired want, Optional<Current> have, PlanStep step) {
    if (have.isEmpty()) {
      return create(want);
    }
    Current c = have.get();
    if (!c.onDemand()) {
      aws.dynamodb()
          .updateTable(r -> r.tableName(want.name()).billingMode(BillingMode.PAY_PER_REQUEST));
      waitActive(want.name());
    }
    if (!c.ttlOnExpiresAt()) {
      if (c.ttlAttribute() != null && "ENABLED".equals(c.ttlStatus())) {
        // A table has one TTL attribute: the other one goes first.
        aws.dynamodb()
            .updateTimeToLive(
                r ->
                    r.tableName(want.name())
                        .timeToLiveSpecification(
                            s -> s.attributeName(c.ttlAttribute()).enabled(false)));
      }
      enableTtl(want.name());
    }
    if (!c.recoveryOn()) {
      enableRecovery(want.name());
    }
    return c.arn();
  }

  private String create(Desired want) {
    List<Tag> tags =
        want.tags().entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    String arn =
        aws.dynamodb()
            .createTable(
                r ->
                    r.tableName(want.name())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                            AttributeDefinition.builder()
                                .attributeName(DynamoLimitsStore.PK)
                                .attributeType(ScalarAttributeType.S)
                                .build())
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName(DynamoLimitsStore.PK)
                                .keyType(KeyType.HASH)
                                .build())
                        .tags(tags))
            .tableDescription()
            .tableArn();
    // TTL and backups can be set only on an active table.
    waitActive(want.name());
    enableTtl(want.name());
    enableRecovery(want.name());
    return arn;
  }

  private void enableTtl(String name) {
    aws.dynamodb()
        .updateTimeToLive(
            r ->
                r.tableName(name)
                    .timeToLiveSpecification(
                        s -> s.attributeName(DynamoLimitsStore.TTL_ATTRIBUTE).enabled(true)));
  }

  /**
   * Turns on point-in-time recovery; a new table's backups can take a while to become available
   * (ContinuousBackupsUnavailableException), so that answer is waited out.
   */
  private void enableRecovery(String name) {
    long deadline = System.nanoTime() + backoff.total().toNanos();
    Duration pause = backoff.first();
    while (true) {
      try {
        aws.dynamodb()
            .updateContinuousBackups(
                r ->
                    r.tableName(name)
                        .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(true)));
        return;
      } catch (ContinuousBackupsUnavailableException e) {
        if (System.nanoTime() + pause.toNanos() > deadline) {
          throw e;
        }
        sleep(pause);
        pause = backoff.after(pause);
      }
    }
  }

  private void waitActive(String name) {
    long deadline = System.nanoTime() + backoff.total().toNanos();
    Duration pause = backoff.first();
    while (true) {
      TableStatus status =
          aws.dynamodb().describeTable(r -> r.tableName(name)).table().tableStatus();
      if (status == TableStatus.ACTIVE) {
        return;
      }
      if (System.nanoTime() + pause.toNanos() > deadline) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The DynamoDB table " + name + " is still " + status + "; run deploy again to finish.");
      }
      sleep(pause);
      pause = backoff.after(pause);
    }
  }

  /**
   * The deployment's keys and counters, for the {@code keys} commands.
   *
   * @throws AwsException when the deployment has no keys table, or one not tagged as its own
   */
  public DynamoLimitsStore open(ResourceNames names) {
    Optional<Map<String, String>> tags = tagsOf(names.keysTable());
    if (tags.isEmpty()) {
      throw new AwsException(
          AwsException.Kind.NOT_FOUND,
          "The deployment '"
              + names.name()
              + "' in "
              + aws.region()
              + " has no keys table ("
              + names.keysTable()
              + "); run 'novaproxy deploy' first ('novaproxy deploy --keys' for a deployment made"
              + " without one).");
    }
    if (!names.owns(tags.get())) {
      throw ExecutionRole.notOurs("A DynamoDB table named " + names.keysTable(), names);
    }
    return new DynamoLimitsStore(aws.dynamodb(), names.keysTable());
  }

  /**
   * Deletes the table, keys and counters with it. False when there was none.
   *
   * @throws AwsException when a table of that name is not this deployment's
   */
  public boolean delete(ResourceNames names) {
    Optional<Map<String, String>> tags = tagsOf(names.keysTable());
    if (tags.isEmpty()) {
      return false;
    }
    if (!names.owns(tags.get())) {
      throw ExecutionRole.notOurs("A DynamoDB table named " + names.keysTable(), names);
    }
    try {
      aws.dynamodb().deleteTable(r -> r.tableName(names.keysTable()));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwsException(
          AwsException.Kind.FAILED, "Interrupted while waiting for DynamoDB.", e);
    }
  }
}
