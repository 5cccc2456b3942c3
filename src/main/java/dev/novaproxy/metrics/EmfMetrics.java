package dev.novaproxy.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.proxy.LineMetrics;
import dev.novaproxy.proxy.RequestOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch Embedded Metric Format on each access line, so that the function publishes its metrics
 * by writing the log it writes anyway: no PutMetricData call, no extra latency, no extra
 * permission. The format:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * <p>Metric names, units and dimension sets are a contract with the alarms deploy creates and the
 * figures status reads (docs/aws.md, "Metrics"): every line carries every metric it has in the set
 * [Deployment], which the alarms watch; a few more sets split requests, 5xx and latency by door,
 * tokens by model, and errors by code. Each dimension value multiplies the custom metrics (and
 * their cost), so only those few, all with bounded values: never a request id, client or path.
 */
public final class EmfMetrics implements LineMetrics {
  public static final String NAMESPACE = "NovaProxy";

  /** The environment variable Lambda sets to the function's name. */
  public static final String ENV_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

  static final String DEPLOYMENT = "Deployment";
  static final String DOOR = "Door";
  static final String MODEL = "Model";
  static final String ERROR_CODE = "ErrorCode";
  private static final String COUNT = "Count";
  private static final String MILLISECONDS = "Milliseconds";

  private final String deployment;

  public EmfMetrics(String deployment) {
    this.deployment = deployment;
  }

  /**
   * The metrics of the function Lambda runs this in, named for it; null outside Lambda (no function
   * name), where nothing would extract them.
   */
  public static EmfMetrics forFunction(Map<String, String> env) {
    String name = env.get(ENV_FUNCTION_NAME);
    return name == null || name.isBlank() ? null : new EmfMetrics(name.strip());
  }

  @Override
  public void addTo(ObjectNode line, RequestOutcome o) {
    List<Directive> directives = new ArrayList<>();
    line.put(DEPLOYMENT, deployment);
    int status = o.status();

    Directive byDoor = new Directive(List.of(DEPLOYMENT));
    line.put("Requests", 1);
    line.put("Errors5xx", status >= 500 ? 1 : 0);
    line.put("Latency", o.latencyMs());
    byDoor.metric("Requests", COUNT).metric("Errors5xx", COUNT).metric("Latency", MILLISECONDS);
    if (o.door() != null) {
      line.put(DOOR, o.door());
      byDoor.alsoBy(List.of(DEPLOYMENT, DOOR));
    }
    directives.add(byDoor);

    Directive deploymentOnly = new Directive(List.of(DEPLOYMENT));
    line.put("Errors4xx", status >= 400 && status < 500 ? 1 : 0);
    line.put("UpstreamThrottled", o.upstreamThrottled() ? 1 : 0);
    line.put("OverLimit", o.overLimit() ? 1 : 0);
    deploymentOnly
        .metric("Errors4xx", COUNT)
        .metric("UpstreamThrottled", COUNT)
        .metric("OverLimit", COUNT);
    if (o.upstreamMs() != null) {
      line.put("UpstreamLatency", o.upstreamMs());
      deploymentOnly.metric("UpstreamLatency", MILLISECONDS);
    }
    if (o.stream() && o.firstTokenMs() != null) {
      line.put("TimeToFirstToken", o.firstTokenMs());
      deploymentOnly.metric("TimeToFirstToken", MILLISECONDS);
    }
    directives.add(deploymentOnly);

    Long prompt = o.promptTokens();
    Long completion = o.completionTokens();
    if (prompt != null || completion != null) {
      Directive tokens = new Directive(List.of(DEPLOYMENT));
      if (prompt != null) {
        line.put("PromptTokens", prompt);
        tokens.metric("PromptTokens", COUNT);
      }
      if (completion != null) {
        line.put("CompletionTokens", completion);
        tokens.metric("CompletionTokens", COUNT);
      }
      if (o.model() != null) {
        line.put(MODEL, o.model());
        tokens.alsoBy(List.of(DEPLOYMENT, MODEL));
      }
      directives.add(tokens);
    }

    if (o.errorCode() != null) {
      line.put(ERROR_CODE, o.errorCode());
      line.put("Errors", 1);
      directives.add(new Directive(List.of(DEPLOYMENT, ERROR_CODE)).metric("Errors", COUNT));
    }

    ObjectNode aws = line.putObject("_aws");
    aws.put("Timestamp", o.time().toEpochMilli());
    ArrayNode list = aws.putArray("CloudWatchMetrics");
    for (Directive d : directives) {
      d.writeTo(list.addObject());
    }
  }

  /** One MetricDirective: metrics published under each of its dimension sets. */
  private static final class Directive {
    private final List<List<String>> dimensionSets = new ArrayList<>();
    private final List<String[]> metrics = new ArrayList<>();

    Directive(List<String> dimensions) {
      dimensionSets.add(dimensions);
    }

    Directive alsoBy(List<String> dimensions) {
      dimensionSets.add(dimensions);
      return this;
    }

    Directive metric(String name, String unit) {
      metrics.add(new String[] {name, unit});
      return this;
    }

    void writeTo(ObjectNode d) {
      d.put("Namespace", NAMESPACE);
      ArrayNode sets = d.putArray("Dimensions");
      for (List<String> set : dimensionSets) {
        ArrayNode a = sets.addArray();
        set.forEach(a::add);
      }
      ArrayNode m = d.putArray("Metrics");
      for (String[] metric : metrics) {
        m.addObject().put("Name", metric[0]).put("Unit", metric[1]);
      }
    }
  }
}
