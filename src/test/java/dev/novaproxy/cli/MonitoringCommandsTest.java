package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.CloudWatchCborBridge;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * deploy --alarm-email and --log-retention-days, and what status and destroy do with them, through
 * the command line. SNS and CloudWatch Logs are moto's; CloudWatch goes through {@link
 * CloudWatchCborBridge} (the SDK speaks CBOR to CloudWatch, moto only JSON), which hands the alarm
 * calls to moto and answers the metric data calls itself.
 */
@ExtendWith(MotoServer.class)
class MonitoringCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FN = "novaproxy-proxy";
  private static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:novaproxy-alarms";
  private static final String EMAIL = "ops@example.com";
  private static final String NOVA_KEY = "nova-key-0123456789";

  private static CloudWatchCborBridge bridge;

  @TempDir Path dir;
  private Path code;
  private AwsClients aws;

  @BeforeAll
  static void startBridge() throws Exception {
    bridge = CloudWatchCborBridge.start(MotoServer.endpoint());
  }

  @AfterAll
  static void stopBridge() {
    bridge.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    useConfig("laptop");
    code = TestZip.write(dir, "code v1");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, bridge.endpoint()));
    CliRun setup = CliRun.runWithStdin(NOVA_KEY + "\n", args("setup", "--api-key-stdin"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private void useConfig(String machine) {
    System.setProperty(
        ConfigFile.PATH_PROPERTY, dir.resolve(machine).resolve("config.json").toString());
  }

  private static String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", bridge.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String... extra) {
    List<String> a =
        new ArrayList<>(List.of("deploy", "--artifact", code.toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private CliRun ok(CliRun r) {
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private Map<String, MetricAlarm> alarms() {
    return aws.cloudwatch().describeAlarms(r -> r.alarmNamePrefix(FN + "-")).metricAlarms().stream()
        .collect(Collectors.toMap(MetricAlarm::alarmName, a -> a));
  }

  private List<String> topics() {
    return aws.sns().listTopics().topics().stream().map(t -> t.topicArn()).toList();
  }

  private Integer retention() {
    return aws.logs()
        .describeLogGroups(r -> r.logGroupNamePrefix("/aws/lambda/" + FN))
        .logGroups()
        .get(0)
        .retentionInDays();
  }

  @Test
  void should_create_the_topic_subscription_and_alarms_on_the_emitted_metrics() throws Exception {
    CliRun r = ok(deploy("--alarm-email", EMAIL, "--keys", "--daily-token-budget", "1000000"));
    assertThat(r.err()).contains("confirm").contains(EMAIL);
    assertThat(r.toString()).doesNotContain(NOVA_KEY);

    assertThat(topics()).containsExactly(TOPIC_ARN);
    var subs = aws.sns().listSubscriptionsByTopic(x -> x.topicArn(TOPIC_ARN)).subscriptions();
    assertThat(subs)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.protocol()).isEqualTo("email");
              assertThat(s.endpoint()).isEqualTo(EMAIL);
            });

    Map<String, MetricAlarm> alarms = alarms();
    assertThat(alarms.keySet())
        .containsExactlyInAnyOrder(
            FN + "-5xx-rate",
            FN + "-p95-latency",
            FN + "-lambda-errors",
            FN + "-lambda-throttles",
            FN + "-nova-throttled",
            FN + "-token-budget");
    Dimension deployment = Dimension.builder().name("Deployment").value(FN).build();
    for (MetricAlarm a : alarms.values()) {
      assertThat(a.toString()).as(a.alarmName()).doesNotContain(NOVA_KEY);
      assertThat(a.alarmActions()).as(a.alarmName()).containsExactly(TOPIC_ARN);
      assertThat(a.okActions()).as(a.alarmName()).containsExactly(TOPIC_ARN);
      assertThat(a.treatMissingData()).as(a.alarmName()).isEqualTo("notBreaching");
    }
    // 2 of 3 five-minute periods: EMF points arrive when Lambda flushes the logs.
    MetricAlarm latency = alarms.get(FN + "-p95-latency");
    assertThat(latency.namespace()).isEqualTo("NovaProxy");
    assertThat(latency.metricName()).isEqualTo("Latency");
    assertThat(latency.dimensions()).containsExactly(deployment);
    assertThat(latency.extendedStatistic()).isEqualTo("p95");
    assertThat(latency.period()).isEqualTo(300);
    assertThat(latency.evaluationPeriods()).isEqualTo(3);
    assertThat(latency.datapointsToAlarm()).isEqualTo(2);
    assertThat(latency.threshold()).isEqualTo(25_000.0);

    MetricAlarm rate = alarms.get(FN + "-5xx-rate");
    assertThat(rate.metrics()).hasSize(3);
    assertThat(rate.metrics().get(0).metricStat().metric().metricName()).isEqualTo("Requests");
    assertThat(rate.metrics().get(1).metricStat().metric().metricName()).isEqualTo("Errors5xx");
    assertThat(rate.metrics().get(1).metricStat().metric().dimensions())
        .containsExactly(deployment);
    assertThat(rate.metrics().get(2).expression()).contains("100 * errors / requests");
    assertThat(rate.threshold()).isEqualTo(5.0);

    MetricAlarm errors = alarms.get(FN + "-lambda-errors");
    assertThat(errors.namespace()).isEqualTo("AWS/Lambda");
    assertThat(errors.metricName()).isEqualTo("Errors");
    assertThat(errors.dimensions())
        .containsExactly(Dimension.builder().name("FunctionName").value(FN).build());
    assertThat(alarms.get(FN + "-lambda-throttles").metricName()).isEqualTo("Throttles");
    assertThat(alarms.get(FN + "-nova-throttled").metricName()).isEqualTo("UpstreamThrottled");

    MetricAlarm budget = alarms.get(FN + "-token-budget");
    assertThat(budget.threshold()).isEqualTo(800_000.0);
    assertThat(budget.metrics())
        .extracting(
            q -> q.metricStat() == null ? q.expression() : q.metricStat().metric().metricName())
        .containsExactly(
            "PromptTokens", "CompletionTokens", "FILL(prompt, 0) + FILL(completion, 0)");
    assertThat(budget.metrics().get(0).metricStat().period()).isEqualTo(86_400);

    assertThat(retention()).isEqualTo(30);
    assertThat(bridge.operations()).contains("PutMetricAlarm", "DescribeAlarms");
  }

  @Test
  void should_keep_alarms_and_retention_on_a_plain_redeploy_from_another_machine()
      throws Exception {
    ok(deploy("--alarm-email", EMAIL, "--log-retention-days", "90"));
    var before = alarms();

    useConfig("other-laptop");
    JsonNode again = JSON.readTree(ok(deploy("-o", "json")).out());
    assertThat(again.get("changed").asBoolean()).as("%s", again).isFalse();
    assertThat(again.get("settings").get("alarmEmail").asText()).isEqualTo(EMAIL);
    assertThat(again.get("settings").get("logRetention").asText()).isEqualTo("90 days");
    assertThat(alarms().keySet()).isEqualTo(before.keySet());
    assertThat(retention()).isEqualTo(90);
    assertThat(aws.sns().listSubscriptionsByTopic(x -> x.topicArn(TOPIC_ARN)).subscriptions())
        .hasSize(1);
  }

  @Test
  void should_show_the_plan_on_a_dry_run_and_change_nothing() throws Exception {
    CliRun plan = ok(deploy("--alarm-email", EMAIL, "--dry-run"));
    assertThat(plan.out())
        .contains("alarmEmail     " + EMAIL)
        .contains("logRetention   30 days")
        .containsPattern("create +log-group +/aws/lambda/" + FN + " \\(retention 30 days\\)")
        .containsPattern("create +topic +novaproxy-alarms \\(e-mail to " + EMAIL)
        .containsPattern("create +alarm +" + FN + "-5xx-rate \\(5xx > 5% of requests");
    assertThat(topics()).isEmpty();
    assertThat(aws.logs().describeLogGroups().logGroups()).isEmpty();
  }

  @Test
  void should_remove_the_alarms_and_topic_with_none_and_say_so() throws Exception {
    ok(deploy("--alarm-email", EMAIL));
    CliRun dry = ok(deploy("--alarm-email", "none", "--dry-run"));
    assertThat(dry.out())
        .containsPattern("delete +alarm +" + FN + "-5xx-rate")
        .containsPattern("delete +topic +novaproxy-alarms");

    CliRun r = ok(deploy("--alarm-email", "none"));
    assertThat(r.err()).contains("warning: the alarms are removed");
    assertThat(alarms()).isEmpty();
    assertThat(topics()).isEmpty();
    assertThat(retention()).as("the log group stays").isEqualTo(30);
  }

  @Test
  void should_move_the_subscription_and_the_budget_alarm_with_their_settings() throws Exception {
    ok(deploy("--alarm-email", EMAIL, "--keys", "--daily-token-budget", "1000"));
    ok(deploy("--alarm-email", "oncall@example.com", "--daily-token-budget", "5000"));
    var subs = aws.sns().listSubscriptionsByTopic(x -> x.topicArn(TOPIC_ARN)).subscriptions();
    assertThat(subs).extracting(s -> s.endpoint()).containsExactly("oncall@example.com");
    assertThat(alarms().get(FN + "-token-budget").threshold()).isEqualTo(4000.0);

    ok(deploy("--daily-token-budget", "none"));
    assertThat(alarms()).doesNotContainKey(FN + "-token-budget").containsKey(FN + "-5xx-rate");
  }

  @Test
  void should_put_back_an_alarm_changed_in_the_console() throws Exception {
    ok(deploy("--alarm-email", EMAIL));
    MetricAlarm rate = alarms().get(FN + "-5xx-rate");
    aws.cloudwatch()
        .putMetricAlarm(
            x ->
                x.alarmName(rate.alarmName())
                    .alarmDescription(rate.alarmDescription())
                    .metrics(rate.metrics())
                    .evaluationPeriods(3)
                    .datapointsToAlarm(2)
                    .threshold(50.0)
                    .comparisonOperator(rate.comparisonOperator())
                    .treatMissingData("notBreaching")
                    .alarmActions(TOPIC_ARN)
                    .okActions(TOPIC_ARN));
    CliRun plan = ok(deploy("--dry-run"));
    assertThat(plan.out())
        .containsPattern("update +alarm +" + FN + "-5xx-rate \\(threshold 50 -> 5\\)");
    ok(deploy());
    assertThat(alarms().get(FN + "-5xx-rate").threshold()).isEqualTo(5.0);
  }

  @Test
  void should_show_alarm_states_retention_and_the_last_hour() throws Exception {
    ok(deploy("--alarm-email", EMAIL, "--log-retention-days", "14"));
    JsonNode quiet = JSON.readTree(ok(CliRun.run(args("status", "-o", "json"))).out());
    assertThat(quiet.get("metrics").get("available").asBoolean()).isFalse();
    assertThat(quiet.get("metrics").get("note").asText()).contains("no metrics yet");
    CliRun quietText = ok(CliRun.run(args("status")));
    assertThat(quietText.out()).contains("Last hour: no metrics yet");

    putRequests(Instant.now().minusSeconds(600));
    aws.cloudwatch()
        .setAlarmState(
            x -> x.alarmName(FN + "-p95-latency").stateValue(StateValue.ALARM).stateReason("test"));

    JsonNode s = JSON.readTree(ok(CliRun.run(args("status", "-o", "json"))).out());
    assertThat(s.get("logRetentionDays").asInt()).isEqualTo(14);
    Map<String, String> states = new java.util.HashMap<>();
    s.get("alarms").forEach(a -> states.put(a.get("name").asText(), a.get("state").asText()));
    assertThat(states).containsEntry(FN + "-p95-latency", "ALARM").hasSize(5);
    JsonNode m = s.get("metrics");
    assertThat(m.get("available").asBoolean()).isTrue();
    assertThat(m.get("requests").asLong()).isEqualTo(20);
    assertThat(m.get("errors5xx").asLong()).isEqualTo(2);
    assertThat(m.get("errorRatePercent").asDouble()).isEqualTo(10.0);
    assertThat(m.get("latencyP50Ms").asDouble()).isEqualTo(100.0);
    assertThat(m.get("latencyP95Ms").asDouble()).isEqualTo(2000.0);
    assertThat(m.get("promptTokens").asLong()).isEqualTo(1000);
    assertThat(m.get("completionTokens").asLong()).isEqualTo(3000);
    assertThat(s.get("deployed").asBoolean()).isTrue();

    CliRun text = ok(CliRun.run(args("status")));
    assertThat(text.toString()).doesNotContain(NOVA_KEY);
    assertThat(text.out())
        .containsPattern("log-group +present +/aws/lambda/" + FN + " +Retention 14 days")
        .containsPattern("alarm +present +" + FN + "-p95-latency +ALARM")
        .contains("requests 20, 5xx 2 (10.0%)")
        .contains("latency p50 100 ms, p95 2000 ms")
        .contains("tokens 1000 prompt + 3000 completion");
  }

  /** What the function's EMF lines would give: 20 requests, 2 of them 5xx, 18 fast, 2 slow. */
  private void putRequests(Instant at) {
    List<MetricDatum> data = new ArrayList<>();
    Dimension d = Dimension.builder().name("Deployment").value(FN).build();
    for (int i = 0; i < 20; i++) {
      data.add(datum("Requests", 1, StandardUnit.COUNT, d, at));
      data.add(datum("Errors5xx", i < 2 ? 1 : 0, StandardUnit.COUNT, d, at));
      data.add(datum("Latency", i < 2 ? 2000 : 100, StandardUnit.MILLISECONDS, d, at));
      data.add(datum("PromptTokens", 50, StandardUnit.COUNT, d, at));
      data.add(datum("CompletionTokens", 150, StandardUnit.COUNT, d, at));
    }
    // Another deployment's figures must not count.
    data.add(
        datum(
            "Requests",
            100,
            StandardUnit.COUNT,
            Dimension.builder().name("Deployment").value("other-proxy").build(),
            at));
    aws.cloudwatch().putMetricData(x -> x.namespace("NovaProxy").metricData(data));
  }

  private static MetricDatum datum(
      String name, double value, StandardUnit unit, Dimension d, Instant at) {
    return MetricDatum.builder()
        .metricName(name)
        .value(value)
        .unit(unit)
        .dimensions(d)
        .timestamp(at)
        .build();
  }

  @Test
  void should_delete_alarms_and_topic_on_destroy_and_keep_the_logs_unless_asked() throws Exception {
    ok(deploy("--alarm-email", EMAIL));
    JsonNode d = JSON.readTree(ok(CliRun.run(args("destroy", "--yes", "-o", "json"))).out());
    assertThat(d.get("logGroupKept").asBoolean()).isTrue();
    assertThat(alarms()).isEmpty();
    assertThat(topics()).isEmpty();
    assertThat(retention()).isEqualTo(30);

    CliRun logs = ok(CliRun.run(args("destroy", "--yes", "--delete-logs")));
    assertThat(logs.err())
        .contains("log-group /aws/lambda/" + FN + " (with every log line): deleted");
    assertThat(aws.logs().describeLogGroups().logGroups()).isEmpty();
  }

  @Test
  void should_adopt_the_log_group_lambda_made_with_the_default_retention() throws Exception {
    // What Lambda leaves on first use: the group, untagged, logs kept forever.
    aws.logs().createLogGroup(r -> r.logGroupName("/aws/lambda/" + FN));
    CliRun plan = ok(deploy("--dry-run"));
    assertThat(plan.out())
        .containsPattern(
            "update +log-group +/aws/lambda/"
                + FN
                + " \\(retention never -> 30 days; tag novaproxy:name=novaproxy \\(adopted\\)\\)");
    ok(deploy());
    assertThat(retention()).isEqualTo(30);
    String arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + FN;
    assertThat(aws.logs().listTagsForResource(r -> r.resourceArn(arn)).tags())
        .containsEntry("novaproxy:name", "novaproxy");

    // Tagged, a retention is the owner's choice, 'never' included: kept by a plain deploy.
    ok(deploy("--log-retention-days", "never"));
    assertThat(retention()).isNull();
    JsonNode again = JSON.readTree(ok(deploy("-o", "json")).out());
    assertThat(again.get("changed").asBoolean()).as("%s", again).isFalse();
    assertThat(again.get("settings").get("logRetention").asText()).isEqualTo("never");
  }

  @Test
  void should_refuse_a_bad_address_or_retention_before_any_aws_call() {
    CliRun email = deploy("--alarm-email", "ops-at-example.com");
    assertThat(email.exitCode()).as("%s", email).isEqualTo(ExitCodes.USAGE);
    assertThat(email.err().strip())
        .startsWith("novaproxy: --alarm-email takes an e-mail address")
        .doesNotContain("\n");

    CliRun days = deploy("--log-retention-days", "31");
    assertThat(days.exitCode()).as("%s", days).isEqualTo(ExitCodes.USAGE);
    assertThat(days.err()).contains("--log-retention-days takes one of").contains("30, 60");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
  }

  @Test
  void should_not_call_cloudwatch_for_a_deployment_without_alarms() {
    var seen = bridge.operations().size();
    ok(deploy());
    ok(deploy());
    CliRun destroy = ok(CliRun.run(args("destroy", "--yes")));
    assertThat(destroy.err()).contains("topic novaproxy-alarms: not found");
    assertThat(bridge.operations().subList(seen, bridge.operations().size())).isEmpty();
  }
}
