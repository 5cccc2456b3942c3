package dev.novaproxy.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.State;

/**
 * The Lambda function, its published versions and the alias {@code live} that the HTTP API invokes.
 * Code is uploaded only when the artifact's SHA-256 differs; a version is published only when what
 * deploy wants differs from what the alias runs, so a deploy with nothing new publishes nothing,
 * and a deploy after a rollback that wants the rolled-back-to version again publishes nothing
 * either. Each version's description says what changed ({@link FunctionVersions#note}).
 */
public final class ProxyFunction {
  public static final String RUNTIME = "java21";
  public static final String HANDLER = "dev.novaproxy.lambda.LambdaHandler::handleRequest";

  /** The function deploy wants. */
  public record Desired(
      String name,
      String roleArn,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      Map<String, String> environment,
      boolean snapStart,
      Artifact artifact,
      Map<String, String> tags,
      Release release) {

    /** A deploy that makes its version live at once. */
    public Desired(
        String name,
        String roleArn,
        Architecture architecture,
        int memoryMb,
        int timeoutSeconds,
        Map<String, String> environment,
        boolean snapStart,
        Artifact artifact,
        Map<String, String> tags) {
      this(
          name,
          roleArn,
          architecture,
          memoryMb,
          timeoutSeconds,
          environment,
          snapStart,
          artifact,
          tags,
          Release.LIVE);
    }
  }

  /**
   * How a new version goes out.
   *
   * @param canaryPercent the share of traffic (1 to 99) the new version gets while the old one
   *     stays live, or null to make it live at once
   * @param replaceCanary whether a canary in progress may be dropped; without it deploy refuses
   * @param resumed whether {@code canaryPercent} is the one an unfinished deploy asked for (given
   *     again, or taken from what it saved): when its version has since been promoted, there is no
   *     canary left to start and the re-run finishes without one instead of refusing
   */
  public record Release(Integer canaryPercent, boolean replaceCanary, boolean resumed) {
    public static final Release LIVE = new Release(null, false);

    public Release(Integer canaryPercent, boolean replaceCanary) {
      this(canaryPercent, replaceCanary, false);
    }

    public boolean canary() {
      return canaryPercent != null;
    }
  }

  /**
   * The function as Lambda holds it: $LATEST's configuration and tags, the alias (null when
   * missing), the configuration of the version the alias points to (null when there is none) and
   * that of its canary's version (null when there is no canary).
   */
  public record Current(
      FunctionConfiguration latest,
      Map<String, String> tags,
      LiveAlias.State alias,
      FunctionConfiguration live,
      FunctionConfiguration canary) {
    /**
     * The configuration that answers requests: the version behind the alias (after a rollback not
     * $LATEST's), else $LATEST while there is no alias yet.
     */
    public FunctionConfiguration running() {
      return live != null ? live : latest;
    }
  }

  private final AwsClients aws;
  private final Backoff roleBackoff;

  public ProxyFunction(AwsClients aws, Backoff roleBackoff) {
    this.aws = aws;
    this.roleBackoff = roleBackoff;
  }

  public Optional<Current> read(String name) {
    GetFunctionResponse f;
    try {
      f = aws.lambda().getFunction(r -> r.functionName(name));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    LiveAlias.State alias = new LiveAlias(aws).read(name).orElse(null);
    FunctionConfiguration live = alias == null ? null : version(name, alias.version());
    FunctionConfiguration canary =
        alias == null || !alias.canary() ? null : version(name, alias.canaryVersion());
    return Optional.of(new Current(f.configuration(), f.tags(), alias, live, canary));
  }

  /** A published version's configuration, or null when it is gone. */
  private FunctionConfiguration version(String name, String version) {
    try {
      return aws.lambda().getFunction(r -> r.functionName(name).qualifier(version)).configuration();
    } catch (ResourceNotFoundException e) {
      // the alias points at a deleted version: deploy publishes a new one
      return null;
    }
  }

  /** Two steps: the function ($LATEST) and the published version behind the alias. */
  public List<PlanStep> plan(Desired want, Optional<Current> have, ResourceNames names) {
    if (have.isEmpty() || have.get().alias() == null) {
      Rollouts.refuseFirstCanary(want.release());
    }
    if (have.isEmpty()) {
      return List.of(
          PlanStep.create("function", want.name()),
          PlanStep.create("alias", want.name() + ":" + ResourceNames.ALIAS));
    }
    Current c = have.get();
    if (!names.owns(c.tags())) {
      throw ExecutionRole.notOurs("A Lambda function named " + want.name(), names);
    }
    List<String> changes = new ArrayList<>(codeChanges(want, c.latest()));
    changes.addAll(configChanges(want, c.latest()));
    PlanStep function = PlanStep.updateIf("function", want.name(), changes);
    String aliasName = want.name() + ":" + ResourceNames.ALIAS;
    PlanStep alias;
    if (c.alias() == null) {
      alias = PlanStep.create("alias", aliasName);
    } else {
      alias =
          Rollouts.aliasStep(
              aliasName, c.alias(), publishes(want, c), resumesCanary(want, c), want.release());
    }
    return List.of(function, alias);
  }

  /** Whether deploy publishes a version: the alias's version runs something else than wanted. */
  static boolean publishes(Desired want, Current c) {
    return c.alias() == null || c.live() == null || !versionChanges(want, c.live()).isEmpty();
  }

  /**
   * Whether the canary in progress is this deploy's own, to be kept rather than refused: deploy
   * asks for a canary, and the canary's version runs exactly the code and settings it wants, the
   * way {@link #publishes} compares the live version. That is a {@code deploy --canary} cut short
   * after its alias step (at the domain's certificate wait, say) and run again, or run again once
   * done.
   */
  static boolean resumesCanary(Desired want, Current c) {
    return want.release().canary()
        && !want.release().replaceCanary()
        && c.alias() != null
        && c.alias().canary()
        && c.canary() != null
        && versionChanges(want, c.canary()).isEmpty();
  }

  /** What a version made from {@code want} changes against {@code live}, one line each. */
  static List<String> versionChanges(Desired want, FunctionConfiguration live) {
    List<String> changes = new ArrayList<>(codeChanges(want, live));
    changes.addAll(configChanges(want, live));
    return changes;
  }

  static List<String> codeChanges(Desired want, FunctionConfiguration have) {
    List<String> changes = new ArrayList<>();
    if (!Objects.equals(want.artifact().sha256(), have.codeSha256())) {
      changes.add(
          "code " + abbreviate(have.codeSha256()) + " -> " + abbreviate(want.artifact().sha256()));
    }
    if (!have.architectures().contains(want.architecture())) {
      changes.add("architecture " + have.architecturesAsStrings() + " -> " + want.architecture());
    }
    return changes;
  }

  static List<String> configChanges(Desired want, FunctionConfiguration have) {
    List<String> changes = new ArrayList<>();
    diff(changes, "role", have.role(), want.roleArn());
    diff(changes, "runtime", have.runtimeAsString(), RUNTIME);
    diff(changes, "handler", have.handler(), HANDLER);
    diff(changes, "memory", have.memorySize(), want.memoryMb());
    diff(changes, "timeout", have.timeout(), want.timeoutSeconds());
    changes.addAll(EnvironmentDiff.lines(Deployment.environmentOf(have), want.environment()));
    diff(changes, "snapstart", snapStartOf(have), snapStartValue(want.snapStart()));
    return changes;
  }

  /** Creates or updates $LATEST as the function step planned. */
  public void applyFunction(
      Desired want, Optional<Current> have, PlanStep function, Progress progress) {
    if (have.isEmpty()) {
      withRoleRetry(
          () ->
              aws.lambda()
                  .createFunction(
                      r ->
                          r.functionName(want.name())
                              .description("novaproxy: the Amazon Nova API proxy")
                              .runtime(RUNTIME)
                              .handler(HANDLER)
                              .role(want.roleArn())
                              .architectures(want.architecture())
                              .memorySize(want.memoryMb())
                              .timeout(want.timeoutSeconds())
                              .environment(e -> e.variables(want.environment()))
                              .snapStart(s -> s.applyOn(snapStartValue(want.snapStart())))
                              .code(c -> c.zipFile(SdkBytes.fromByteArray(want.artifact().bytes())))
                              .publish(false)
                              .tags(want.tags())),
          progress);
      aws.lambda().waiter().waitUntilFunctionActiveV2(r -> r.functionName(want.name()));
    } else if (function.mutates()) {
      FunctionConfiguration latest = have.get().latest();
      // A deploy that was interrupted (or a change made elsewhere) may still be settling, and
      // Lambda refuses updates until it has: wait rather than fail the re-run.
      if (latest.state() == State.PENDING) {
        aws.lambda().waiter().waitUntilFunctionActiveV2(r -> r.functionName(want.name()));
      } else if (latest.lastUpdateStatus() == LastUpdateStatus.IN_PROGRESS) {
        aws.lambda().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(want.name()));
      }
      if (!codeChanges(want, latest).isEmpty()) {
        aws.lambda()
            .updateFunctionCode(
                r ->
                    r.functionName(want.name())
                        .zipFile(SdkBytes.fromByteArray(want.artifact().bytes()))
                        .architectures(want.architecture()));
        aws.lambda().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(want.name()));
      }
      if (!configChanges(want, latest).isEmpty()) {
        withRoleRetry(
            () ->
                aws.lambda()
                    .updateFunctionConfiguration(
                        r ->
                            r.functionName(want.name())
                                .runtime(RUNTIME)
                                .handler(HANDLER)
                                .role(want.roleArn())
                                .memorySize(want.memoryMb())
                                .timeout(want.timeoutSeconds())
                                .environment(e -> e.variables(want.environment()))
                                .snapStart(s -> s.applyOn(snapStartValue(want.snapStart())))),
            progress);
        aws.lambda().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(want.name()));
      }
    }
  }

  /**
   * Publishes a version and points the alias at it (or, for a canary, sends it a share of the
   * traffic) when planned; returns the alias ARN.
   */
  public String applyAlias(Desired want, Optional<Current> have, PlanStep alias) {
    LiveAlias.State was = have.map(Current::alias).orElse(null);
    if (!alias.mutates()) {
      return was.arn();
    }
    var aliases = new LiveAlias(aws);
    if (was != null && resumesCanary(want, have.get())) {
      // This deploy's own canary, asked for with another share: the same version, a new weight.
      return aliases
          .startCanary(want.name(), was, was.canaryVersion(), want.release().canaryPercent())
          .arn();
    }
    if (was != null && !publishes(want, have.get())) {
      // Nothing new to publish: the step only ends a canary that deploy was told to drop.
      return aliases.point(want.name(), was.version(), was.history()).arn();
    }
    // $LATEST may still be settling even when this run changed nothing in it (an interrupted
    // deploy's update, or a change made elsewhere); Lambda refuses to publish until it has.
    aws.lambda().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(want.name()));
    String note =
        FunctionVersions.note(
            have.map(Current::live).map(live -> versionChanges(want, live)).orElse(List.of()));
    String version =
        aws.lambda()
            .publishVersion(
                r ->
                    r.functionName(want.name())
                        .codeSha256(want.artifact().sha256())
                        .description(note))
            .version();
    aws.lambda()
        .waiter()
        .waitUntilPublishedVersionActive(r -> r.functionName(want.name()).qualifier(version));
    if (was == null) {
      return aliases.create(want.name(), version);
    }
    if (want.release().canary()) {
      return aliases.startCanary(want.name(), was, version, want.release().canaryPercent()).arn();
    }
    // Lambda answers a publish of an unchanged $LATEST with the version it published before.
    List<String> history = version.equals(was.version()) ? was.history() : LiveAlias.pushed(was);
    return aliases.point(want.name(), version, history).arn();
  }

  /**
   * IAM is eventually consistent: a role created a moment ago may not yet be assumable by Lambda.
   * Retries while Lambda says exactly that, with growing pauses, and says that it is waiting.
   */
  <T> T withRoleRetry(Supplier<T> call, Progress progress) {
    long deadline = System.nanoTime() + roleBackoff.total().toNanos();
    Duration pause = roleBackoff.first();
    int attempt = 0;
    while (true) {
      try {
        return call.get();
      } catch (InvalidParameterValueException e) {
        boolean roleNotReady =
            e.getMessage() != null && e.getMessage().contains("cannot be assumed by Lambda");
        if (!roleNotReady || System.nanoTime() + pause.toNanos() > deadline) {
          throw e;
        }
        attempt++;
        progress.line(
            String.format(
                "  waiting for IAM to make the role usable by Lambda (retry %d in %.1f s)",
                attempt, pause.toMillis() / 1000.0));
        sleep(pause);
        pause = roleBackoff.after(pause);
      }
    }
  }

  /**
   * Deletes the permission, the alias and the function with all its versions. False when there was
   * no function.
   */
  public boolean delete(String name, String statementId) {
    try {
      aws.lambda()
          .removePermission(
              r -> r.functionName(name).qualifier(ResourceNames.ALIAS).statementId(statementId));
    } catch (ResourceNotFoundException e) {
      // no permission (or no alias): nothing to remove
    }
    try {
      aws.lambda().deleteAlias(r -> r.functionName(name).name(ResourceNames.ALIAS));
    } catch (ResourceNotFoundException e) {
      // no alias
    }
    try {
      // Deleting the unqualified function deletes every published version with it.
      aws.lambda().deleteFunction(r -> r.functionName(name));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  static String snapStartOf(FunctionConfiguration c) {
    return c.snapStart() == null || c.snapStart().applyOn() == null
        ? SnapStartApplyOn.NONE.toString()
        : c.snapStart().applyOnAsString();
  }

  static SnapStartApplyOn snapStartValue(boolean on) {
    return on ? SnapStartApplyOn.PUBLISHED_VERSIONS : SnapStartApplyOn.NONE;
  }

  private static void diff(List<String> changes, String what, Object have, Object want) {
    String h = have == null ? null : have.toString();
    String w = want == null ? null : want.toString();
    if (!Objects.equals(h, w)) {
      changes.add(what + " " + h + " -> " + w);
    }
  }

  private static String abbreviate(String sha) {
    return sha == null ? "none" : sha.substring(0, Math.min(8, sha.length()));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwsException(AwsException.Kind.FAILED, "Interrupted while waiting for IAM.", e);
    }
  }
}
