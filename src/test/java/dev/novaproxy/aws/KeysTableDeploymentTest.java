package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * The keys table as a deployment resource, against moto: created first with on-demand billing, TTL
 * and point-in-time recovery, tagged; the role may use exactly two item actions on it; a redeploy
 * changes nothing; drift is mended; {@code --no-keys} keeps it; only {@code --delete-data} deletes
 * it. moto keeps billing mode, TTL and recovery settings as given and reads them back (it never
 * expires items, and a new table is ACTIVE at once: the waits are not exercised here).
 */
@ExtendWith(MotoServer.class)
class KeysTableDeploymentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Backoff FAST =
      new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10));
  private static final ResourceNames NAMES = new ResourceNames("novaproxy");
  private static final String TABLE = "novaproxy-keys";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/" + TABLE;

  @TempDir Path dir;
  private AwsClients aws;
  private Artifact code;
  private String secretArn;

  @BeforeEach
  void setUp() throws Exception {
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    secretArn = new ApiKeySecret(aws).store("backend/NovaApiKey", "sk-test-key", NAMES).arn();
    code = Artifact.read(TestZip.write(dir, "v1"));
    aws.calls().clear();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Deployment.Spec spec(boolean keys, LimitsSettings limits) {
    return new Deployment.Spec(
        NAMES,
        "backend/NovaApiKey",
        code,
        new DeploymentSettings(
            DeploymentSettings.Arch.arm64,
            512,
            300,
            false,
            10,
            20,
            false,
            ProxySettings.defaults(),
            keys,
            limits));
  }

  private Deployment.Result deploy(Deployment.Spec spec) {
    var d = new Deployment(aws, FAST);
    return d.apply(d.plan(spec), Progress.silent());
  }

  private Map<String, Set<String>> roleGrants() throws Exception {
    String doc =
        aws.iam()
            .getRolePolicy(x -> x.roleName(NAMES.role()).policyName(NAMES.rolePolicy()))
            .policyDocument();
    JsonNode policy = JSON.readTree(URLDecoder.decode(doc, StandardCharsets.UTF_8));
    Map<String, Set<String>> grants = new TreeMap<>();
    for (JsonNode s : policy.get("Statement")) {
      assertThat(s.fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder("Sid", "Effect", "Action", "Resource");
      assertThat(s.get("Effect").asText()).isEqualTo("Allow");
      List<String> actions = new ArrayList<>();
      if (s.get("Action").isArray()) {
        s.get("Action").forEach(a -> actions.add(a.asText()));
      } else {
        actions.add(s.get("Action").asText());
      }
      for (String a : actions) {
        grants.computeIfAbsent(a, k -> new TreeSet<>()).add(s.get("Resource").asText());
      }
    }
    return grants;
  }

  private Map<String, String> environment() {
    return aws.lambda()
        .getFunctionConfiguration(x -> x.functionName(NAMES.function()))
        .environment()
        .variables();
  }

  @Test
  void should_create_the_table_first_on_demand_with_ttl_recovery_and_the_tag() throws Exception {
    var limits = new LimitsSettings(null, false, 30, 20_000L, 1_000_000L);
    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec(true, limits));
    assertThat(plan.steps())
        .extracting(PlanStep::resource)
        .startsWith(KeysTable.RESOURCE, "role", "function");
    assertThat(plan.steps().get(0).action()).isEqualTo(Action.CREATE);
    Deployment.Result r = d.apply(plan, Progress.silent());
    assertThat(r.keysTable()).isEqualTo(TABLE);

    var table = aws.dynamodb().describeTable(x -> x.tableName(TABLE)).table();
    assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    assertThat(table.keySchema())
        .containsExactly(
            KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build());
    var ttl = aws.dynamodb().describeTimeToLive(x -> x.tableName(TABLE)).timeToLiveDescription();
    assertThat(ttl.timeToLiveStatusAsString()).isEqualTo("ENABLED");
    assertThat(ttl.attributeName()).isEqualTo("expiresAt");
    assertThat(
            aws.dynamodb()
                .describeContinuousBackups(x -> x.tableName(TABLE))
                .continuousBackupsDescription()
                .pointInTimeRecoveryDescription()
                .pointInTimeRecoveryStatusAsString())
        .isEqualTo("ENABLED");
    assertThat(aws.dynamodb().listTagsOfResource(x -> x.resourceArn(table.tableArn())).tags())
        .containsExactly(Tag.builder().key("novaproxy:name").value("novaproxy").build());

    // The table (with every limit) is in the function's environment, and read back the same.
    assertThat(environment())
        .containsEntry("NOVA_KEYS_TABLE", TABLE)
        .containsEntry("NOVA_ANONYMOUS", "deny")
        .containsEntry("NOVA_ANONYMOUS_RPM", "30")
        .containsEntry("NOVA_ANONYMOUS_TOKENS_PER_DAY", "20000")
        .containsEntry("NOVA_DAILY_TOKEN_BUDGET", "1000000");
    var back = d.observe(NAMES).settings().orElseThrow();
    assertThat(back.keys()).isTrue();
    assertThat(back.limits()).isEqualTo(limits);
  }

  @Test
  void should_let_the_function_get_and_update_items_of_this_table_and_nothing_more()
      throws Exception {
    deploy(spec(true, LimitsSettings.off()));
    String group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/novaproxy-proxy";
    assertThat(roleGrants())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "secretsmanager:GetSecretValue", Set.of(secretArn),
                "logs:CreateLogGroup", Set.of(group),
                "logs:CreateLogStream", Set.of(group + ":*"),
                "logs:PutLogEvents", Set.of(group + ":*"),
                // TransactWriteItems is authorized per item as the UpdateItem it holds.
                "dynamodb:GetItem", Set.of(TABLE_ARN),
                "dynamodb:UpdateItem", Set.of(TABLE_ARN)));
  }

  @Test
  void should_change_nothing_on_a_redeploy_and_nothing_on_a_dry_run() {
    var spec = spec(true, new LimitsSettings(null, true, 60, null, 500_000L));
    var d = new Deployment(aws, FAST);
    d.plan(spec);
    assertThat(aws.calls().mutatingCalls()).as("a dry run").isEmpty();
    assertThat(aws.dynamodb().listTables().tableNames()).isEmpty();

    deploy(spec);
    aws.calls().clear();
    Deployment.Plan again = d.plan(spec);
    assertThat(again.steps()).allMatch(s -> !s.mutates(), "unchanged: " + again.steps());
    assertThat(again.steps().get(0)).isEqualTo(PlanStep.unchanged(KeysTable.RESOURCE, TABLE));
    d.apply(again, Progress.silent());
    assertThat(aws.calls().mutatingCalls()).isEmpty();
  }

  @Test
  void should_mend_ttl_recovery_and_billing_changed_elsewhere() {
    var spec = spec(true, LimitsSettings.off());
    deploy(spec);
    aws.dynamodb()
        .updateTimeToLive(
            x ->
                x.tableName(TABLE)
                    .timeToLiveSpecification(s -> s.attributeName("expiresAt").enabled(false)));
    aws.dynamodb()
        .updateContinuousBackups(
            x ->
                x.tableName(TABLE)
                    .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(false)));
    aws.dynamodb()
        .updateTable(
            x ->
                x.tableName(TABLE)
                    .billingMode(BillingMode.PROVISIONED)
                    .provisionedThroughput(t -> t.readCapacityUnits(1L).writeCapacityUnits(1L)));

    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec);
    assertThat(plan.steps().get(0).changes())
        .containsExactly(
            "billing provisioned -> on-demand",
            "TTL off -> on expiresAt",
            "point-in-time recovery off -> on");
    aws.calls().clear();
    d.apply(plan, Progress.silent());
    assertThat(aws.calls().mutatingCalls())
        .extracting(AwsCallLog.Call::operation)
        .containsExactly("UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups");
    assertThat(d.plan(spec).changes()).isFalse();
  }

  @Test
  void should_keep_the_table_but_stop_using_it_with_no_keys() throws Exception {
    deploy(spec(true, LimitsSettings.off()));
    var d = new Deployment(aws, FAST);
    Deployment.Plan plan = d.plan(spec(false, LimitsSettings.off()));
    assertThat(plan.steps().get(0))
        .satisfies(s -> assertThat(s.action()).isEqualTo(Action.UNCHANGED))
        .satisfies(s -> assertThat(s.name()).contains("kept").contains("--delete-data"));
    assertThat(plan.steps())
        .filteredOn(s -> s.resource().equals("role"))
        .singleElement()
        .satisfies(s -> assertThat(s.changes()).containsExactly("access policy"));
    Deployment.Result r = d.apply(plan, Progress.silent());

    assertThat(r.keysTable()).isNull();
    assertThat(aws.dynamodb().listTables().tableNames()).containsExactly(TABLE);
    assertThat(environment()).doesNotContainKey("NOVA_KEYS_TABLE");
    assertThat(roleGrants()).doesNotContainKeys("dynamodb:GetItem", "dynamodb:UpdateItem");
    assertThat(d.observe(NAMES).settings().orElseThrow().keys()).isFalse();
  }

  @Test
  void should_show_the_table_as_used_when_the_live_version_uses_it_whatever_latest_says() {
    deploy(spec(true, LimitsSettings.off()));
    deploy(spec(false, LimitsSettings.off()));
    var status = new DeploymentStatus(aws);
    assertThat(keysTableDetail(status)).endsWith("; not used (--no-keys)");

    // What a rollback does to the alias: version 1, with the table, answers again while $LATEST
    // keeps the --no-keys deploy's settings.
    aws.lambda()
        .updateAlias(x -> x.functionName(NAMES.function()).name("live").functionVersion("1"));
    assertThat(environment()).doesNotContainKey("NOVA_KEYS_TABLE");

    assertThat(keysTableDetail(status))
        .isEqualTo("on-demand, TTL on expiresAt, point-in-time recovery on");
  }

  private static String keysTableDetail(DeploymentStatus status) {
    return status.read(NAMES, "backend/NovaApiKey").resources().stream()
        .filter(r -> r.kind().equals(KeysTable.RESOURCE))
        .findFirst()
        .orElseThrow()
        .version();
  }

  @Test
  void should_make_no_table_for_a_deployment_without_keys() {
    deploy(spec(false, LimitsSettings.off()));
    assertThat(aws.dynamodb().listTables().tableNames()).isEmpty();
    assertThat(new Deployment(aws, FAST).plan(spec(false, LimitsSettings.off())).steps())
        .extracting(PlanStep::resource)
        .doesNotContain(KeysTable.RESOURCE);
  }

  @Test
  void should_not_take_over_a_table_it_did_not_create() {
    createForeignTable();
    assertThatThrownBy(() -> new Deployment(aws, FAST).plan(spec(true, LimitsSettings.off())))
        .isInstanceOf(AwsException.class)
        .hasMessageContaining(
            "A DynamoDB table named novaproxy-keys exists but is not tagged novaproxy:name=novaproxy");
    assertThatThrownBy(() -> new KeysTable(aws, FAST).delete(NAMES))
        .isInstanceOf(AwsException.class);
    assertThat(aws.dynamodb().listTables().tableNames()).containsExactly(TABLE);
  }

  @Test
  void should_show_the_table_in_status_and_keep_it_on_destroy_unless_data_is_deleted() {
    deploy(spec(true, LimitsSettings.off()));
    var status = new DeploymentStatus(aws).read(NAMES, "backend/NovaApiKey");
    assertThat(status.deployed()).isTrue();
    assertThat(status.resources())
        .filteredOn(r -> r.kind().equals(KeysTable.RESOURCE))
        .singleElement()
        .satisfies(r -> assertThat(r.present()).isTrue())
        .satisfies(r -> assertThat(r.state()).isEqualTo("ACTIVE"))
        .satisfies(
            r ->
                assertThat(r.version())
                    .isEqualTo("on-demand, TTL on expiresAt, point-in-time recovery on"));

    List<String> lines = new ArrayList<>();
    var kept = new Teardown(aws).run(NAMES, "backend/NovaApiKey", false, false, lines::add);
    assertThat(kept.keysTableKept()).isTrue();
    assertThat(kept.steps()).extracting(PlanStep::resource).doesNotContain(KeysTable.RESOURCE);
    assertThat(lines)
        .contains(
            "  keys-table novaproxy-keys: kept, with the client keys and usage (pass --delete-data"
                + " to delete it)");
    assertThat(aws.dynamodb().listTables().tableNames()).containsExactly(TABLE);
    var after = new DeploymentStatus(aws).read(NAMES, "backend/NovaApiKey");
    assertThat(after.nothingDeployed()).as("only data is left").isTrue();

    var deleted = new Teardown(aws).run(NAMES, "backend/NovaApiKey", false, true, lines::add);
    assertThat(deleted.keysTableKept()).isFalse();
    assertThat(deleted.steps())
        .filteredOn(s -> s.resource().equals(KeysTable.RESOURCE))
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(Action.DELETE));
    assertThat(aws.dynamodb().listTables().tableNames()).isEmpty();
    var twice = new Teardown(aws).run(NAMES, "backend/NovaApiKey", false, true, lines::add);
    assertThat(twice.steps())
        .filteredOn(s -> s.resource().equals(KeysTable.RESOURCE))
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(Action.UNCHANGED));
  }

  private void createForeignTable() {
    aws.dynamodb()
        .createTable(
            x ->
                x.tableName(TABLE)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                        AttributeDefinition.builder()
                            .attributeName("pk")
                            .attributeType(ScalarAttributeType.S)
                            .build())
                    .keySchema(
                        KeySchemaElement.builder()
                            .attributeName("pk")
                            .keyType(KeyType.HASH)
                            .build()));
  }
}
