package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * The alarms a deployment gets with {@code deploy --alarm-email}, and their thresholds. The proxy's
 * own figures are the EMF metrics the function writes (namespace {@value #NAMESPACE}, dimension set
 * exactly {@code [Deployment]} = the function's name); an alarm on another dimension set would
 * watch a metric that does not exist. Lambda's own (AWS/Lambda, by FunctionName) count crashes and
 * throttling.
 *
 * <p>EMF metrics reach CloudWatch when Lambda flushes the function's logs, which it does on its own
 * schedule, so a period can look empty and fill in late: each EMF alarm fires on "2 of the last 3"
 * five-minute periods (AWS's advice for alarms on EMF metrics from Lambda), and missing data is not
 * breaching, so an idle proxy stays quiet.
 */
public final class AlarmSet {
  public static final String NAMESPACE = "NovaProxy";
  public static final String DIMENSION = "Deployment";
  static final int PERIOD = 300;
  static final int EVALUATION_PERIODS = 3;
  static final int DATAPOINTS_TO_ALARM = 2;

  /** Percent of requests answered 5xx above which the 5xx alarm fires. */
  static final double ERROR_RATE_PERCENT = 5;

  /** Fewer requests in a period than this cannot make an error rate (one bad call of two). */
  static final int ERROR_RATE_MIN_REQUESTS = 5;

  /**
   * p95 latency (ms) above which the latency alarm fires: near the HTTP API's 30 s limit, past
   * which buffered callers get 504s. Streams count too, so long streamed answers can raise it.
   */
  static final double P95_LATENCY_MS = 25_000;

  /** Share of the daily token budget at which the budget alarm fires. */
  static final double BUDGET_SHARE = 0.8;

  static final int DAY = 86_400;

  /** Every alarm kind, for reading and deleting; the budget alarm exists only with a budget. */
  public static final List<String> KINDS =
      List.of(
          "5xx-rate",
          "p95-latency",
          "lambda-errors",
          "lambda-throttles",
          "nova-throttled",
          "token-budget");

  private AlarmSet() {}

  /**
   * The alarms for this deployment.
   *
   * @param topicArn where they notify (alarm and back to OK)
   * @param dailyTokenBudget the deployment's daily token budget when it has keys and one, else null
   *     (no budget alarm)
   */
  public static List<MetricAlarm> of(ResourceNames names, String topicArn, Long dailyTokenBudget) {
    String fn = names.function();
    List<MetricAlarm> out = new ArrayList<>();
    out.add(
        base(names, "5xx-rate", topicArn)
            .alarmDescription(
                describe(
                    names,
                    "more than 5% of requests (of at least 5) answered 5xx in 2 of 3 five-minute"
                        + " periods. 'novaproxy logs --errors' shows them."))
            .metrics(
                stat("requests", NAMESPACE, "Requests", DIMENSION, fn, "Sum", PERIOD, false),
                stat("errors", NAMESPACE, "Errors5xx", DIMENSION, fn, "Sum", PERIOD, false),
                MetricDataQuery.builder()
                    .id("rate")
                    .label("5xx % of requests")
                    .expression(
                        "IF(requests >= "
                            + ERROR_RATE_MIN_REQUESTS
                            + ", 100 * errors / requests, 0)")
                    .returnData(true)
                    .build())
            .threshold(ERROR_RATE_PERCENT)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .build());
    out.add(
        base(names, "p95-latency", topicArn)
            .alarmDescription(
                describe(
                    names,
                    "the 95th percentile of request latency was above 25 s in 2 of 3 five-minute"
                        + " periods (the HTTP API gives up at 30 s)."))
            .namespace(NAMESPACE)
            .metricName("Latency")
            .dimensions(dimension(DIMENSION, fn))
            .extendedStatistic("p95")
            .period(PERIOD)
            .threshold(P95_LATENCY_MS)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .build());
    out.add(
        lambda(names, "lambda-errors", "Errors", topicArn)
            .alarmDescription(
                describe(
                    names,
                    "the function failed (crashed or timed out, not an error answer) in 2 of 3"
                        + " five-minute periods."))
            .build());
    out.add(
        lambda(names, "lambda-throttles", "Throttles", topicArn)
            .alarmDescription(
                describe(
                    names,
                    "Lambda refused invocations for lack of concurrency in 2 of 3 five-minute"
                        + " periods; callers got 429 or 503 before the proxy ran."))
            .build());
    out.add(
        base(names, "nova-throttled", topicArn)
            .alarmDescription(
                describe(
                    names,
                    "Nova answered 429 (the key's quota) in 2 of 3 five-minute periods; ask for a"
                        + " higher quota or lower the proxy's limits."))
            .namespace(NAMESPACE)
            .metricName("UpstreamThrottled")
            .dimensions(dimension(DIMENSION, fn))
            .statistic(Statistic.SUM)
            .period(PERIOD)
            .threshold(1.0)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
            .build());
    if (dailyTokenBudget != null) {
      long threshold = Math.round(dailyTokenBudget * BUDGET_SHARE);
      out.add(
          base(names, "token-budget", topicArn)
              .alarmDescription(
                  describe(
                      names,
                      "prompt plus completion tokens over the last 24 hours reached "
                          + threshold
                          + ", 80% of the daily budget of "
                          + dailyTokenBudget
                          + ". A rolling 24 h window: the budget itself resets at midnight UTC."))
              .metrics(
                  stat("prompt", NAMESPACE, "PromptTokens", DIMENSION, fn, "Sum", DAY, false),
                  stat(
                      "completion",
                      NAMESPACE,
                      "CompletionTokens",
                      DIMENSION,
                      fn,
                      "Sum",
                      DAY,
                      false),
                  MetricDataQuery.builder()
                      .id("tokens")
                      .label("tokens in 24 h")
                      .expression("FILL(prompt, 0) + FILL(completion, 0)")
                      .returnData(true)
                      .build())
              .evaluationPeriods(1)
              .datapointsToAlarm(1)
              .threshold((double) threshold)
              .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
              .build());
    }
    return out;
  }

  /** The one-line summary a plan shows for an alarm. */
  static String summary(String kind) {
    return switch (kind) {
      case "5xx-rate" -> "5xx > 5% of requests, 2 of 3 x 5 min";
      case "p95-latency" -> "p95 latency > 25 s, 2 of 3 x 5 min";
      case "lambda-errors" -> "AWS/Lambda Errors >= 1, 2 of 3 x 5 min";
      case "lambda-throttles" -> "AWS/Lambda Throttles >= 1, 2 of 3 x 5 min";
      case "nova-throttled" -> "Nova 429s >= 1, 2 of 3 x 5 min";
      case "token-budget" -> "tokens in 24 h >= 80% of the daily budget";
      default -> kind;
    };
  }

  /** The kind of one of this deployment's alarm names. */
  static String kindOf(ResourceNames names, String alarmName) {
    return alarmName.substring(names.alarm("").length());
  }

  private static String describe(ResourceNames names, String what) {
    return "novaproxy deployment '" + names.name() + "': " + what;
  }

  private static MetricAlarm.Builder base(ResourceNames names, String kind, String topicArn) {
    return MetricAlarm.builder()
        .alarmName(names.alarm(kind))
        .actionsEnabled(true)
        .alarmActions(topicArn)
        .okActions(topicArn)
        .evaluationPeriods(EVALUATION_PERIODS)
        .datapointsToAlarm(DATAPOINTS_TO_ALARM)
        .treatMissingData("notBreaching");
  }

  private static MetricAlarm.Builder lambda(
      ResourceNames names, String kind, String metric, String topicArn) {
    return base(names, kind, topicArn)
        .namespace("AWS/Lambda")
        .metricName(metric)
        // FunctionName alone: every version and alias, so a rollback's version counts too.
        .dimensions(dimension("FunctionName", names.function()))
        .statistic(Statistic.SUM)
        .period(PERIOD)
        .threshold(1.0)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
  }

  static Dimension dimension(String name, String value) {
    return Dimension.builder().name(name).value(value).build();
  }

  /**
   * One statistic of one metric over periods of {@code period} seconds: for an alarm's expression
   * (not returned) or for status (returned).
   */
  static MetricDataQuery stat(
      String id,
      String namespace,
      String metric,
      String dimension,
      String value,
      String stat,
      int period,
      boolean returned) {
    return MetricDataQuery.builder()
        .id(id)
        .metricStat(
            s ->
                s.metric(
                        m ->
                            m.namespace(namespace)
                                .metricName(metric)
                                .dimensions(dimension(dimension, value)))
                    .stat(stat)
                    .period(period))
        .returnData(returned)
        .build();
  }
}
