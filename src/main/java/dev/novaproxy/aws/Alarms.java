package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

/**
 * The deployment's CloudWatch alarms ({@link AlarmSet} says which): read by their exact names,
 * written with PutMetricAlarm (which creates or replaces one), deleted by name. Tagged as the
 * deployment's on creation; one of these names without the tag is somebody else's and is left
 * alone.
 */
public final class Alarms {
  public static final String RESOURCE = "alarm";

  /** One alarm as CloudWatch holds it, with its tags. */
  public record Current(MetricAlarm alarm, Map<String, String> tags) {}

  private final AwsClients aws;

  public Alarms(AwsClients aws) {
    this.aws = aws;
  }

  /** Those of the deployment's alarm names that exist, by name. */
  public Map<String, Current> read(ResourceNames names) {
    List<String> wanted = AlarmSet.KINDS.stream().map(names::alarm).toList();
    Map<String, Current> out = new LinkedHashMap<>();
    for (MetricAlarm a :
        aws.cloudwatch().describeAlarms(r -> r.alarmNames(wanted)).metricAlarms()) {
      Map<String, String> tags = new HashMap<>();
      aws.cloudwatch()
          .listTagsForResource(r -> r.resourceARN(a.alarmArn()))
          .tags()
          .forEach(t -> tags.put(t.key(), t.value()));
      out.put(a.alarmName(), new Current(a, tags));
    }
    return out;
  }

  /**
   * One step per alarm: create, update (naming what differs) or unchanged for each wanted one;
   * delete for each of ours that is no longer wanted.
   *
   * @throws AwsException when a wanted alarm's name is taken by an alarm not tagged as ours
   */
  public List<PlanStep> plan(
      List<MetricAlarm> want, Map<String, Current> have, ResourceNames names) {
    List<PlanStep> steps = new ArrayList<>();
    for (MetricAlarm w : want) {
      Current c = have.get(w.alarmName());
      String label =
          w.alarmName() + " (" + AlarmSet.summary(AlarmSet.kindOf(names, w.alarmName())) + ")";
      if (c == null) {
        steps.add(PlanStep.create(RESOURCE, label));
      } else if (!names.owns(c.tags())) {
        throw ExecutionRole.notOurs("A CloudWatch alarm named " + w.alarmName(), names);
      } else {
        steps.add(PlanStep.updateIf(RESOURCE, w.alarmName(), differences(c.alarm(), w)));
      }
    }
    for (Current c : have.values()) {
      boolean wanted = want.stream().anyMatch(w -> w.alarmName().equals(c.alarm().alarmName()));
      if (!wanted && names.owns(c.tags())) {
        steps.add(new PlanStep(RESOURCE, c.alarm().alarmName(), Action.DELETE, List.of()));
      }
    }
    return steps;
  }

  /** Creates or replaces one alarm; the tags only take on creation, which is when they are due. */
  public void put(MetricAlarm a, ResourceNames names) {
    List<Tag> tags =
        names.tags().entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    aws.cloudwatch()
        .putMetricAlarm(
            PutMetricAlarmRequest.builder()
                .alarmName(a.alarmName())
                .alarmDescription(a.alarmDescription())
                .actionsEnabled(a.actionsEnabled())
                .alarmActions(a.alarmActions())
                .okActions(a.okActions())
                .namespace(a.namespace())
                .metricName(a.metricName())
                .dimensions(a.hasDimensions() ? a.dimensions() : null)
                .statistic(a.statistic())
                .extendedStatistic(a.extendedStatistic())
                .period(a.period())
                .metrics(a.hasMetrics() ? a.metrics() : null)
                .evaluationPeriods(a.evaluationPeriods())
                .datapointsToAlarm(a.datapointsToAlarm())
                .threshold(a.threshold())
                .comparisonOperator(a.comparisonOperator())
                .treatMissingData(a.treatMissingData())
                .tags(tags)
                .build());
  }

  public void delete(List<String> alarmNames) {
    if (!alarmNames.isEmpty()) {
      aws.cloudwatch().deleteAlarms(r -> r.alarmNames(alarmNames));
    }
  }

  /** What differs between an alarm as deployed and as wanted: "threshold 5 -> 3". */
  static List<String> differences(MetricAlarm have, MetricAlarm want) {
    Map<String, String> a = shape(have);
    Map<String, String> b = shape(want);
    List<String> out = new ArrayList<>();
    for (String k : b.keySet()) {
      if (!Objects.equals(a.get(k), b.get(k))) {
        out.add(k.equals("description") ? "description" : k + " " + a.get(k) + " -> " + b.get(k));
      }
    }
    return out;
  }

  /**
   * What decides an alarm's behaviour, as text: the same for an alarm read back and one built,
   * whatever the service leaves empty (no dimensions, no metrics) or echoes in another form.
   */
  private static Map<String, String> shape(MetricAlarm m) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("description", m.alarmDescription());
    s.put("metric", m.namespace() == null ? null : m.namespace() + "/" + m.metricName());
    s.put("dimensions", m.hasDimensions() ? dimensions(m.dimensions()) : "[]");
    s.put(
        "statistic", m.extendedStatistic() != null ? m.extendedStatistic() : m.statisticAsString());
    s.put("period", m.period() == null ? null : m.period() + " s");
    s.put("metrics", m.hasMetrics() ? queries(m.metrics()) : "[]");
    s.put("datapoints", m.datapointsToAlarm() + " of " + m.evaluationPeriods());
    s.put("threshold", m.threshold() == null ? null : DeploymentSettings.number(m.threshold()));
    s.put("comparison", m.comparisonOperatorAsString());
    s.put("missing data", m.treatMissingData());
    s.put("actions", new TreeSet<>(m.alarmActions()) + " ok " + new TreeSet<>(m.okActions()));
    return s;
  }

  private static String dimensions(
      List<software.amazon.awssdk.services.cloudwatch.model.Dimension> ds) {
    return new TreeSet<>(ds.stream().map(d -> d.name() + "=" + d.value()).toList()).toString();
  }

  private static String queries(List<MetricDataQuery> qs) {
    List<String> out = new ArrayList<>();
    for (MetricDataQuery q : qs) {
      String what =
          q.expression() != null
              ? q.expression()
              : q.metricStat().metric().namespace()
                  + "/"
                  + q.metricStat().metric().metricName()
                  + dimensions(q.metricStat().metric().dimensions())
                  + " "
                  + q.metricStat().stat()
                  + " "
                  + q.metricStat().period();
      out.add(q.id() + "=" + what + (Boolean.FALSE.equals(q.returnData()) ? "" : " (returned)"));
    }
    return out.toString();
  }
}
