package dev.novaproxy.aws;

import java.util.List;

/**
 * One resource in a plan: what it is, its name, what will happen and why.
 *
 * @param resource the kind, e.g. "role" or "function"
 * @param name the resource's name or identifier
 * @param action create, update, unchanged or delete
 * @param changes what differs, for an update (e.g. "memory 512 -> 1024")
 */
public record PlanStep(String resource, String name, Action action, List<String> changes) {
  public PlanStep {
    changes = List.copyOf(changes);
  }

  public static PlanStep unchanged(String resource, String name) {
    return new PlanStep(resource, name, Action.UNCHANGED, List.of());
  }

  public static PlanStep create(String resource, String name) {
    return new PlanStep(resource, name, Action.CREATE, List.of());
  }

  /** An update when there are changes, else unchanged. */
  public static PlanStep updateIf(String resource, String name, List<String> changes) {
    return new PlanStep(
        resource, name, changes.isEmpty() ? Action.UNCHANGED : Action.UPDATE, changes);
  }

  public boolean mutates() {
    return action != Action.UNCHANGED;
  }
}
