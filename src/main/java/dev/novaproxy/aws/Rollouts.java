package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which version of the function is live, and moving it: {@code rollback}, {@code promote}, the
 * canary a deploy starts, and the versions {@code status} lists. Each move is one UpdateAlias call:
 * no build, no upload, no change to $LATEST, and both doors (the HTTP API and the stream URL invoke
 * the alias) follow at once.
 *
 * <p>{@code rollback} with no version undoes the last move of {@code live} (a deploy, a promote or
 * a {@code rollback --to}), taking the version from the history the alias keeps ({@link
 * LiveAlias}); run again, it goes further back.
 */
public final class Rollouts {
  /**
   * What a move did.
   *
   * @param from the version live before
   * @param to the version live now (the same when only a canary was dropped)
   * @param droppedCanary the canary's version that no longer gets traffic, or null
   * @param changed false when nothing had to change
   */
  public record Move(String from, String to, String droppedCanary, boolean changed) {}

  /**
   * The alias and the newest versions, for {@code status}.
   *
   * @param alias the alias as it is
   * @param recent the newest versions, newest first
   * @param total how many versions there are
   */
  public record Versions(LiveAlias.State alias, List<FunctionVersions.Version> recent, int total) {}

  private final AwsClients aws;

  public Rollouts(AwsClients aws) {
    this.aws = aws;
  }

  /**
   * Points {@code live} back: to {@code to} when given, else to the version live before the current
   * one. During a canary it drops the canary (and, with {@code to}, also moves live).
   *
   * @throws AwsException NOT_FOUND when nothing is deployed or {@code to} is no version; FAILED
   *     when there is no earlier version
   */
  public Move rollback(ResourceNames names, Optional<String> to) {
    String function = names.function();
    LiveAlias.State have = requireAlias(names);
    var alias = new LiveAlias(aws);
    if (have.canary() && to.isEmpty()) {
      alias.point(function, have.version(), have.history());
      return new Move(have.version(), have.version(), have.canaryVersion(), true);
    }
    List<String> versions =
        new FunctionVersions(aws)
            .list(function).stream().map(FunctionVersions.Version::version).toList();
    String target;
    List<String> history;
    if (to.isPresent()) {
      target = to.get();
      if (!versions.contains(target)) {
        throw new AwsException(
            AwsException.Kind.NOT_FOUND,
            "There is no version "
                + target
                + " of "
                + function
                + " (it has "
                + (versions.isEmpty() ? "none" : String.join(", ", versions))
                + "); 'novaproxy status' lists the recent ones.");
      }
      if (target.equals(have.version()) && !have.canary()) {
        return new Move(target, target, null, false);
      }
      history = new ArrayList<>(LiveAlias.pushed(have));
      history.remove(target);
    } else {
      target = previous(have, versions).orElseThrow(() -> noEarlier(have, function));
      List<String> h = have.history();
      history = h.contains(target) ? h.subList(h.indexOf(target) + 1, h.size()) : h;
    }
    alias.point(function, target, history);
    return new Move(have.version(), target, have.canaryVersion(), true);
  }

  /**
   * Makes the canary's version live with all the traffic.
   *
   * @throws AwsException NOT_FOUND when nothing is deployed; FAILED when there is no canary
   */
  public Move promote(ResourceNames names) {
    LiveAlias.State have = requireAlias(names);
    if (!have.canary()) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "There is no canary to promote: version "
              + have.version()
              + " is live with all the traffic; 'novaproxy deploy --canary PERCENT' starts one.");
    }
    new LiveAlias(aws).point(names.function(), have.canaryVersion(), LiveAlias.pushed(have));
    return new Move(have.version(), have.canaryVersion(), null, true);
  }

  /**
   * The alias (as status read it) and the {@code count} newest versions; empty when there is no
   * alias.
   */
  public Optional<Versions> versions(
      Optional<LiveAlias.State> alias, ResourceNames names, int count) {
    return alias.map(
        a -> {
          List<FunctionVersions.Version> all = new FunctionVersions(aws).list(names.function());
          return new Versions(a, all.subList(0, Math.min(count, all.size())), all.size());
        });
  }

  /**
   * The alias step of deploy's plan.
   *
   * @param publishes whether deploy publishes a new version
   * @param ownCanary whether the canary in progress runs exactly what this deploy wants (see {@link
   *     ProxyFunction#resumesCanary}): it is kept, at the share asked for now
   * @throws AwsException FAILED when another canary is in progress and may not be dropped, or when
   *     a canary is asked for with nothing new to send traffic to
   */
  static PlanStep aliasStep(
      String aliasName,
      LiveAlias.State have,
      boolean publishes,
      boolean ownCanary,
      ProxyFunction.Release release) {
    if (ownCanary) {
      return resumedCanary(aliasName, have, release.canaryPercent());
    }
    if (have.canary() && !release.replaceCanary()) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "A canary is in progress (version "
              + have.canaryVersion()
              + " gets "
              + have.canaryPercent()
              + "% of the traffic, version "
              + have.version()
              + " is live): run 'novaproxy promote' or 'novaproxy rollback' first, or deploy"
              + " with --replace-canary to drop it.");
    }
    if (!publishes && release.canary() && release.resumed()) {
      // The unfinished deploy's canary was promoted meanwhile: what it wanted is live.
      release = ProxyFunction.Release.LIVE;
    }
    if (!publishes && release.canary()) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "--canary needs a new version, but version "
              + have.version()
              + " already runs this code with these settings; change the code or a setting, or"
              + " deploy without --canary.");
    }
    List<String> changes = new ArrayList<>();
    if (publishes) {
      changes.add("publish a new version");
      changes.add(
          release.canary()
              ? "send it "
                  + release.canaryPercent()
                  + "% of the traffic; version "
                  + have.version()
                  + " stays live"
              : "point live at it (was version " + have.version() + ")");
    }
    if (have.canary()) {
      changes.add("drop the canary of version " + have.canaryVersion());
    }
    return changes.isEmpty()
        ? PlanStep.unchanged("alias", aliasName + " -> version " + have.version())
        : new PlanStep("alias", aliasName, Action.UPDATE, changes);
  }

  /**
   * The alias step when deploy finds its own canary: unchanged at the same share, else one
   * UpdateAlias gives the same version the share asked for now. Nothing is published.
   */
  private static PlanStep resumedCanary(String aliasName, LiveAlias.State have, int percent) {
    String canary = "canary version " + have.canaryVersion();
    if (percent == have.canaryPercent()) {
      return PlanStep.unchanged(
          "alias",
          aliasName
              + " -> version "
              + have.version()
              + ", "
              + canary
              + " at "
              + percent
              + "% (this deploy's)");
    }
    return new PlanStep(
        "alias",
        aliasName,
        Action.UPDATE,
        List.of(
            "send "
                + canary
                + " "
                + percent
                + "% of the traffic (was "
                + have.canaryPercent()
                + "%); version "
                + have.version()
                + " stays live"));
  }

  /** Deploy's refusal of a canary when nothing is live yet. */
  static void refuseFirstCanary(ProxyFunction.Release release) {
    if (release.canary()) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "--canary needs a live version to compare with, and nothing is live yet; deploy without"
              + " --canary first.");
    }
  }

  /**
   * The version live before the current one: the newest entry of the alias's history that still
   * exists, else (for an alias from before the history was kept) the newest version below it.
   */
  private static Optional<String> previous(LiveAlias.State have, List<String> versions) {
    Optional<String> recorded =
        have.history().stream()
            .filter(versions::contains)
            .filter(v -> !v.equals(have.version()))
            .findFirst();
    if (recorded.isPresent() || !have.history().isEmpty()) {
      return recorded;
    }
    long live = Long.parseLong(have.version());
    return versions.stream().filter(v -> Long.parseLong(v) < live).findFirst();
  }

  private LiveAlias.State requireAlias(ResourceNames names) {
    return new LiveAlias(aws)
        .read(names.function())
        .orElseThrow(
            () ->
                new AwsException(
                    AwsException.Kind.NOT_FOUND,
                    "Nothing is deployed as "
                        + names.name()
                        + " in "
                        + aws.region()
                        + " (no function "
                        + names.function()
                        + " with an alias live); run 'novaproxy deploy'."));
  }

  private static AwsException noEarlier(LiveAlias.State have, String function) {
    return new AwsException(
        AwsException.Kind.FAILED,
        "There is no earlier version to roll back to: version "
            + have.version()
            + " of "
            + function
            + " was the first live; deploy a fix instead.");
  }
}
