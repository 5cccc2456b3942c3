package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Deletes what deploy made, in reverse order: the API (with its routes, integration and stage), the
 * permission, the alias and versions with the function, the role's policies and the role; the
 * secret only when asked. Only resources tagged as this deployment's are touched; anything already
 * gone is skipped, so running it twice is fine.
 */
public final class Teardown {
  private final AwsClients aws;

  public Teardown(AwsClients aws) {
    this.aws = aws;
  }

  /** Returns one step per resource: delete when it was deleted, unchanged when it was not there. */
  public List<PlanStep> run(
      ResourceNames names, String secretName, boolean deleteSecret, Progress progress) {
    List<PlanStep> done = new ArrayList<>();
    done.add(
        step(
            progress,
            "api",
            names.api(),
            " (with its integration, routes and stage)",
            () -> new HttpApi(aws).delete(names)));

    var functions = new ProxyFunction(aws, Backoff.iamPropagation());
    done.add(
        step(
            progress,
            "function",
            names.function(),
            " (with its permission, alias and versions)",
            () -> {
              var fn = functions.read(names.function());
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

    if (deleteSecret) {
      done.add(
          step(
              progress,
              "secret",
              secretName,
              "",
              () -> new ApiKeySecret(aws).delete(secretName, names)));
    } else {
      progress.line("  secret " + secretName + ": kept (pass --delete-secret to delete it)");
    }
    return done;
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
