package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;

/**
 * How deploy watches a deployment: the function's log group and its retention, and with an alarm
 * address the alert topic and the alarms. The topic is made before the alarms and deleted after
 * them, so the alarms are read only when the topic exists: a deployment without alarms makes no
 * CloudWatch call, and needs no CloudWatch permission.
 */
public final class Monitoring {
  /** What AWS holds; {@code alarms} is empty when there is no topic (they were not read). */
  public record Current(
      Optional<LogGroup.Current> logGroup,
      Optional<AlertTopic.Current> topic,
      Map<String, Alarms.Current> alarms) {

    /**
     * The monitoring settings the deployment has: the address on its topic (none without one), the
     * retention of its log group, or the default when the group is not yet the deployment's (none,
     * or one Lambda made without a retention).
     */
    public MonitoringSettings settings(ResourceNames names) {
      String email =
          topic.filter(t -> names.owns(t.tags())).map(AlertTopic.Current::email).orElse(null);
      // Optional cannot hold "never" (null): ask first whether the group is the deployment's.
      Integer days =
          logGroup.filter(g -> names.owns(g.tags())).isPresent()
              ? logGroup.get().retentionDays()
              : Integer.valueOf(MonitoringSettings.DEFAULT_LOG_RETENTION_DAYS);
      return new MonitoringSettings(
          email != null && MonitoringSettings.validEmail(email) ? email : null, days);
    }
  }

  /** One planned step and the work that carries it out. */
  public record Item(PlanStep step, Supplier<?> work) {}

  private final AwsClients aws;

  public Monitoring(AwsClients aws) {
    this.aws = aws;
  }

  public Current observe(ResourceNames names, Account account) {
    Optional<LogGroup.Current> group = new LogGroup(aws).read(names.logGroup());
    Optional<AlertTopic.Current> topic = new AlertTopic(aws).read(account, names);
    Map<String, Alarms.Current> alarms = topic.isPresent() ? new Alarms(aws).read(names) : Map.of();
    return new Current(group, topic, alarms);
  }

  /**
   * The steps, in the order they run: the log group; then the topic and the alarms (or, when the
   * alarms go, the alarms and then the topic).
   *
   * @param dailyTokenBudget the budget the function enforces (keys and a budget), else null
   */
  public List<Item> plan(
      MonitoringSettings want,
      Long dailyTokenBudget,
      Current have,
      ResourceNames names,
      Account account) {
    List<Item> items = new ArrayList<>();
    var groups = new LogGroup(aws);
    items.add(
        new Item(
            groups.plan(want.logRetentionDays(), have.logGroup(), names),
            () -> {
              groups.apply(want.logRetentionDays(), have.logGroup(), names);
              return null;
            }));
    var topics = new AlertTopic(aws);
    Optional<PlanStep> topicStep = topics.plan(want.alarmEmail(), have.topic(), names);
    Optional<Item> topic =
        topicStep.map(s -> new Item(s, () -> topics.apply(want.alarmEmail(), have.topic(), names)));
    List<MetricAlarm> wanted =
        want.alarms()
            ? AlarmSet.of(names, AlertTopic.arn(account, names), dailyTokenBudget)
            : List.of();
    var alarms = new Alarms(aws);
    List<Item> alarmItems = new ArrayList<>();
    for (PlanStep s : alarms.plan(wanted, have.alarms(), names)) {
      String name = s.name().split(" ", 2)[0];
      Optional<MetricAlarm> w = wanted.stream().filter(a -> a.alarmName().equals(name)).findFirst();
      alarmItems.add(
          new Item(
              s,
              () -> {
                if (w.isPresent()) {
                  alarms.put(w.get(), names);
                } else {
                  alarms.delete(List.of(name));
                }
                return null;
              }));
    }
    if (want.alarms()) {
      topic.ifPresent(items::add);
      items.addAll(alarmItems);
    } else {
      items.addAll(alarmItems);
      topic.ifPresent(items::add);
    }
    return items;
  }

  /** Runs the items that change something, one progress line each. */
  public static void apply(List<Item> items, StepClock clock) {
    for (Item i : items) {
      clock.run(i.step(), i.work());
    }
  }

  /** The steps of the items, for the plan. */
  public static List<PlanStep> steps(List<Item> items) {
    return items.stream().map(Item::step).toList();
  }
}
