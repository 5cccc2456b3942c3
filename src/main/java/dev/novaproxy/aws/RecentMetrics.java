package dev.novaproxy.aws;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

/**
 * The last hour of the proxy's own metrics (the EMF figures the function writes, dimension set
 * {@code [Deployment]}), in one GetMetricData call: one period of an hour per figure.
 */
public final class RecentMetrics {
  static final Duration WINDOW = Duration.ofHours(1);

  /**
   * The figures, each null when CloudWatch has no data point for it.
   *
   * @param problem why the figures could not be read (access, throttling); null when they were
   */
  public record LastHour(
      Instant from,
      Instant to,
      Long requests,
      Long errors5xx,
      Long errors4xx,
      Double latencyP50Ms,
      Double latencyP95Ms,
      Long promptTokens,
      Long completionTokens,
      String problem) {

    /** Whether there is anything to show: the function has counted a request in the hour. */
    public boolean available() {
      return problem == null && requests != null && requests > 0;
    }

    /** 5xx answers as a percentage of requests, or null without requests. */
    public Double errorRatePercent() {
      return available() ? 100.0 * (errors5xx == null ? 0 : errors5xx) / requests : null;
    }
  }

  private final AwsClients aws;

  public RecentMetrics(AwsClients aws) {
    this.aws = aws;
  }

  /** The hour up to {@code now}; a failed read is reported in {@link LastHour#problem}. */
  public LastHour lastHour(ResourceNames names, Instant now) {
    Instant to = now.truncatedTo(ChronoUnit.MINUTES);
    Instant from = to.minus(WINDOW);
    String fn = names.function();
    List<MetricDataQuery> queries =
        List.of(
            query("requests", "Requests", "Sum", fn),
            query("errors5xx", "Errors5xx", "Sum", fn),
            query("errors4xx", "Errors4xx", "Sum", fn),
            query("p50", "Latency", "p50", fn),
            query("p95", "Latency", "p95", fn),
            query("prompt", "PromptTokens", "Sum", fn),
            query("completion", "CompletionTokens", "Sum", fn));
    Map<String, Double> v = new HashMap<>();
    try {
      String next = null;
      do {
        String token = next;
        var page =
            aws.cloudwatch()
                .getMetricData(
                    r -> r.startTime(from).endTime(to).metricDataQueries(queries).nextToken(token));
        for (MetricDataResult result : page.metricDataResults()) {
          if (!result.hasValues() || result.values().isEmpty()) {
            continue;
          }
          // One hour in one period gives one value; should the hour straddle two, sums add up
          // and a percentile keeps the newest (values come newest first).
          boolean percentile = result.id().startsWith("p");
          double value =
              percentile
                  ? result.values().get(0)
                  : result.values().stream().mapToDouble(Double::doubleValue).sum();
          v.merge(result.id(), value, (a, b) -> percentile ? a : a + b);
        }
        next = page.nextToken();
      } while (next != null);
    } catch (SdkException e) {
      return new LastHour(
          from, to, null, null, null, null, null, null, null, String.valueOf(e.getMessage()));
    }
    return new LastHour(
        from,
        to,
        whole(v.get("requests")),
        whole(v.get("errors5xx")),
        whole(v.get("errors4xx")),
        v.get("p50"),
        v.get("p95"),
        whole(v.get("prompt")),
        whole(v.get("completion")),
        null);
  }

  private static Long whole(Double d) {
    return d == null ? null : Math.round(d);
  }

  private static MetricDataQuery query(String id, String metric, String stat, String function) {
    return AlarmSet.stat(
        id,
        AlarmSet.NAMESPACE,
        metric,
        AlarmSet.DIMENSION,
        function,
        stat,
        (int) WINDOW.toSeconds(),
        true);
  }
}
