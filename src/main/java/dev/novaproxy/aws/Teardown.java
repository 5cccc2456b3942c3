package dev.novaproxy.aws;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Deletes what deploy made, in reverse order: the custom domain with its mapping and alias records,
 * and the certificate and validation record when deploy created them; the API (with its routes,
 * integration and stage), the permission, the alias and versions with the function, the role's
 * policies and the role; the keys table only when asked (it holds the client keys and usage, which
 * cannot be made again); the secret only when asked, and only when setup created it (it is
 * scheduled for deletion, not deleted at once). Only resources tagged as this deployment's are
 * touched; anything already gone is skipped, so running it twice is fine.
 */
public final class Teardown {
  private static final DateTimeFormatter DAY_AND_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final AwsClients aws;

  public Teardown(AwsClients aws) {
    this.aws = aws;
  }

  /**
   * What destroy did.
   *
   * @param steps one per resource: delete when it was deleted (for the secret: scheduled for
   *     deletion), unchanged when it was not there; none for a secret kept or already scheduled
   * @param secret what became of the secret; null when its deletion was not asked for
   * @param keysTableKept whether a keys table of this deployment's is left (no --delete-data)
   * @param logGroupKept whether the function's log group is left (no --delete-logs)
   */
  public record Result(
      List<PlanStep> steps,
      ApiKeySecret.Deletion secret,
      boolean keysTableKept,
      boolean logGroupKept) {}

  /** Keeps the log group. */
  public Result run(
      ResourceNames names,
      String secretName,
      boolean deleteSecret,
      boolean deleteData,
      Progress progress) {
    return run(names, secretName, deleteSecret, deleteData, false, progress);
  }

  /**
   * @param deleteData also delete the keys table (the client keys and their usage)
   * @param deleteLogs also delete the function's log group (its logs)
   */
  public Result run(
      ResourceNames names,
      String secretName,
      boolean deleteSecret,
      boolean deleteData,
      boolean deleteLogs,
      Progress progress) {
    List<PlanStep> done = new ArrayList<>();
    // First the custom domain (its mapping points at the API), and only what deploy made for it.
    var domain = new DomainRemoval(aws, names);
    DomainRemoval.Removal removal = domain.find();
    domain.remove(removal, progress);
    done.addAll(DomainRemoval.steps(removal));
    // Made last by deploy, so deleted first; the alarms before the topic they notify. Without the
    // topic there are no alarms of deploy's, and CloudWatch is not asked.
    Account account = Account.of(aws);
    var topics = new AlertTopic(aws);
    var topic = topics.read(account, names).filter(t -> names.owns(t.tags()));
    if (topic.isPresent()) {
      var alarms = new Alarms(aws);
      done.add(
          step(
              progress,
              Alarms.RESOURCE,
              names.alarm("*"),
              "",
              () -> {
                List<String> ours =
                    alarms.read(names).values().stream()
                        .filter(a -> names.owns(a.tags()))
                        .map(a -> a.alarm().alarmName())
                        .toList();
                alarms.delete(ours);
                return !ours.isEmpty();
              }));
    }
    done.add(
        step(
            progress,
            AlertTopic.RESOURCE,
            names.alarmTopic(),
            " (with its subscriptions)",
            () -> topic.isPresent() && topics.delete(account, names)));
    done.add(
        step(
            progress,
            "api",
            names.api(),
            " (with its integration, routes and stage)",
            () -> new HttpApi(aws).delete(names)));

    var functions = new ProxyFunction(aws, Backoff.iamPropagation());
    // Read once for both steps: the stream URL is only touched on a function of ours.
    var fn = functions.read(names.function());
    done.add(
        step(
            progress,
            "stream-url",
            names.function() + ":" + ResourceNames.ALIAS,
            " (with its two permissions)",
            () ->
                fn.isPresent() && names.owns(fn.get().tags()) && new StreamUrl(aws).delete(names)));
    done.add(
        step(
            progress,
            "function",
            names.function(),
            " (with its permission, alias and versions)",
            () -> {
              if (fn.isPresent() && !names.owns(fn.get().tags())) {
                throw ExecutionRole.notOurs("A Lambda function named " + names.function(), names);
              }
              return fn.isPresent()
                  && functions.delete(names.function(), names.permissionStatement());
            }));

    var roles = new ExecutionRole(aws);
    done.add(
        step(
            progress,
            "role",
            names.role(),
            " (with its policies)",
            () -> {
              var role = roles.read(names.role(), names.rolePolicy());
              if (role.isPresent() && !names.owns(role.get().tags())) {
                throw ExecutionRole.notOurs("An IAM role named " + names.role(), names);
              }
              return role.isPresent() && roles.delete(names.role());
            }));

    var table = new KeysTable(aws, Backoff.iamPropagation());
    boolean tableKept = false;
    if (deleteData) {
      done.add(
          step(
              progress,
              KeysTable.RESOURCE,
              names.keysTable(),
              " (with every client key and usage counter)",
              () -> table.delete(names)));
    } else if (table.tagsOf(names.keysTable()).filter(names::owns).isPresent()) {
      tableKept = true;
      progress.line(
          "  "
              + KeysTable.RESOURCE
              + " "
              + names.keysTable()
              + ": kept, with the client keys and usage (pass --delete-data to delete it)");
    }

    var groups = new LogGroup(aws);
    boolean logsKept = false;
    if (deleteLogs) {
      done.add(
          step(
              progress,
              LogGroup.RESOURCE,
              names.logGroup(),
              " (with every log line)",
              () -> groups.delete(names)));
    } else if (groups.read(names.logGroup()).isPresent()) {
      logsKept = true;
      progress.line(
          "  "
              + LogGroup.RESOURCE
              + " "
              + names.logGroup()
              + ": kept, with the logs (they expire with its retention; pass --delete-logs to"
              + " delete it)");
    }

    if (!deleteSecret) {
      progress.line("  secret " + secretName + ": kept (pass --delete-secret to delete it)");
      return new Result(done, null, tableKept, logsKept);
    }
    ApiKeySecret.Deletion secret;
    try {
      secret = new ApiKeySecret(aws).delete(secretName, names);
    } catch (AwsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StepClock.StepFailedException("secret " + secretName, e);
    }
    progress.line("  secret " + secretName + ": " + describe(secret, names));
    switch (secret.outcome()) {
      case SCHEDULED -> done.add(new PlanStep("secret", secretName, Action.DELETE, List.of()));
      case NOT_FOUND -> done.add(PlanStep.unchanged("secret", secretName));
      default -> {
        // kept, or scheduled by an earlier destroy: neither deleted now nor missing
      }
    }
    return new Result(done, secret, tableKept, logsKept);
  }

  private static String describe(ApiKeySecret.Deletion d, ResourceNames names) {
    return switch (d.outcome()) {
      case SCHEDULED ->
          "scheduled for deletion " + on(d) + "; 'novaproxy setup' restores it until then";
      case ALREADY_SCHEDULED ->
          "already scheduled for deletion " + on(d) + "; 'novaproxy setup' restores it until then";
      case NOT_FOUND -> "not found";
      case KEPT_ADOPTED ->
          "kept: it was adopted with setup --adopt, and destroy deletes only a secret setup created";
      case KEPT_NOT_OURS ->
          d.owner() == null
              ? "kept: it was not created by novaproxy (no "
                  + ResourceNames.TAG
                  + "="
                  + names.name()
                  + " tag)"
              : "kept: it belongs to the novaproxy deployment '" + d.owner() + "'";
    };
  }

  private static String on(ApiKeySecret.Deletion d) {
    return d.deletionDate() == null
        ? "in " + ApiKeySecret.RECOVERY_DAYS + " days"
        : "on " + DAY_AND_TIME.format(d.deletionDate());
  }

  private static PlanStep step(
      Progress progress, String kind, String name, String with, BooleanSupplier delete) {
    long start = System.nanoTime();
    boolean deleted;
    try {
      deleted = delete.getAsBoolean();
    } catch (AwsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StepClock.StepFailedException(kind + " " + name, e);
    }
    if (deleted) {
      progress.line(
          String.format(
              "  %s %s%s: deleted (%.1f s)", kind, name, with, (System.nanoTime() - start) / 1e9));
      return new PlanStep(kind, name, Action.DELETE, List.of());
    }
    progress.line("  " + kind + " " + name + ": not found");
    return PlanStep.unchanged(kind, name);
  }
}
