package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * The function's log group, {@code /aws/lambda/FUNCTION}, with its retention. Deploy creates it
 * before Lambda would (Lambda makes one without a retention, so logs would be kept, and billed,
 * forever) and tags it. A group Lambda made is adopted: without the tag its retention was nobody's
 * choice, so the deployment's default applies. Destroy keeps it unless asked: it holds the logs.
 */
public final class LogGroup {
  public static final String RESOURCE = "log-group";

  /**
   * The group as CloudWatch Logs holds it.
   *
   * @param retentionDays null when logs never expire
   * @param tags its tags; a group Lambda made has none
   */
  public record Current(String name, String arn, Integer retentionDays, Map<String, String> tags) {}

  private final AwsClients aws;

  public LogGroup(AwsClients aws) {
    this.aws = aws;
  }

  /** The group of that exact name, or empty. */
  public Optional<Current> read(String name) {
    var found =
        aws.logs().describeLogGroups(r -> r.logGroupNamePrefix(name)).logGroups().stream()
            .filter(g -> g.logGroupName().equals(name))
            .findFirst();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    var g = found.get();
    // logGroupArn has no trailing ":*", which is what the tagging API wants.
    String arn = g.logGroupArn() != null ? g.logGroupArn() : g.arn().replaceFirst(":\\*$", "");
    Map<String, String> tags;
    try {
      tags = aws.logs().listTagsForResource(r -> r.resourceArn(arn)).tags();
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(new Current(name, arn, g.retentionInDays(), tags));
  }

  /**
   * Create the group, or mend its retention and tag.
   *
   * @throws AwsException when the group is tagged as another deployment's
   */
  public PlanStep plan(Integer retentionDays, Optional<Current> have, ResourceNames names) {
    String name = names.logGroup();
    if (have.isEmpty()) {
      return PlanStep.create(
          RESOURCE, name + " (retention " + MonitoringSettings.retention(retentionDays) + ")");
    }
    Current c = have.get();
    if (foreign(c, names)) {
      throw ExecutionRole.notOurs("A log group named " + name, names);
    }
    List<String> changes = new ArrayList<>();
    if (!java.util.Objects.equals(c.retentionDays(), retentionDays)) {
      changes.add(
          "retention "
              + MonitoringSettings.retention(c.retentionDays())
              + " -> "
              + MonitoringSettings.retention(retentionDays));
    }
    if (!names.owns(c.tags())) {
      changes.add("tag " + ResourceNames.TAG + "=" + names.name() + " (adopted)");
    }
    return PlanStep.updateIf(RESOURCE, name, changes);
  }

  /** Creates or mends the group as planned. */
  public void apply(Integer retentionDays, Optional<Current> planned, ResourceNames names) {
    String name = names.logGroup();
    Optional<Current> have = planned;
    if (have.isEmpty()) {
      try {
        aws.logs().createLogGroup(r -> r.logGroupName(name).tags(names.tags()));
      } catch (ResourceAlreadyExistsException e) {
        // Lambda made it since the plan was read (SnapStart starts the function while it is
        // published, and its first log line creates the group): take that one over.
        have = read(name);
      }
    }
    if (have.isPresent() && !names.owns(have.get().tags())) {
      String arn = have.get().arn();
      aws.logs().tagResource(r -> r.resourceArn(arn).tags(names.tags()));
    }
    Integer was = have.map(Current::retentionDays).orElse(null);
    if (retentionDays == null && was != null) {
      aws.logs().deleteRetentionPolicy(r -> r.logGroupName(name));
    } else if (retentionDays != null && !retentionDays.equals(was)) {
      aws.logs().putRetentionPolicy(r -> r.logGroupName(name).retentionInDays(retentionDays));
    }
  }

  /**
   * Deletes the group and every log line in it; false when there was none.
   *
   * @throws AwsException when the group is tagged as another deployment's
   */
  public boolean delete(ResourceNames names) {
    Optional<Current> have = read(names.logGroup());
    if (have.isEmpty()) {
      return false;
    }
    if (foreign(have.get(), names)) {
      throw ExecutionRole.notOurs("A log group named " + names.logGroup(), names);
    }
    try {
      aws.logs().deleteLogGroup(r -> r.logGroupName(names.logGroup()));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  /** Tagged as another deployment's (an untagged group is the one Lambda made for our function). */
  private static boolean foreign(Current c, ResourceNames names) {
    return c.tags().containsKey(ResourceNames.TAG) && !names.owns(c.tags());
  }
}
