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
 * Code is uploaded only when the artifact's SHA-256 differs; a version is published and the alias
 * moved only when code or configuration changed (or the alias is behind).
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
      Map<String, String> tags) {}

  /**
   * The function as Lambda holds it: $LATEST's configuration and tags, the alias (null when
   * missing) and the configuration of the version the alias points to (null when there is none).
   */
  public record Current(
      FunctionConfiguration latest,
      Map<String, String> tags,
      Alias alias,
      FunctionConfiguration live) {}

  /** The alias {@code live}: its ARN and the version it points to. */
  public record Alias(String arn, String version) {}

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
    Alias alias = null;
    FunctionConfiguration live = null;
    try {
      var a = aws.lambda().getAlias(r -> r.functionName(name).name(ResourceNames.ALIAS));
      alias = new Alias(a.aliasArn(), a.functionVersion());
      live =
          aws.lambda()
              .getFunction(r -> r.functionName(name).qualifier(a.functionVersion()))
              .configuration();
    } catch (ResourceNotFoundException e) {
      // no alias yet, or it points at a deleted version: deploy publishes a new one
    }
    return Optional.of(new Current(f.configuration(), f.tags(), alias, live));
  }

  /** Two steps: the function ($LATEST) and the published version behind the alias. */
  public List<PlanStep> plan(Desired want, Optional<Current> have, ResourceNames names) {
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
    } else if (function.mutates() || c.live() == null || !sameDeployable(c.latest(), c.live())) {
      alias = new PlanStep("alias", aliasName, Action.UPDATE, List.of("publish a new version"));
    } else {
      alias = PlanStep.unchanged("alias", aliasName + " -> version " + c.alias().version());
    }
    return List.of(function, alias);
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

  /** Whether the version behind the alias runs what $LATEST holds. */
  static boolean sameDeployable(FunctionConfiguration latest, FunctionConfiguration live) {
    return Objects.equals(latest.codeSha256(), live.codeSha256())
        && Objects.equals(latest.role(), live.role())
        && Objects.equals(latest.runtimeAsString(), live.runtimeAsString())
        && Objects.equals(latest.handler(), live.handler())
        && Objects.equals(latest.memorySize(), live.memorySize())
        && Objects.equals(latest.timeout(), live.timeout())
        && Objects.equals(latest.architectures(), live.architectures())
        && Objects.equals(
            latest.environment() == null ? Map.of() : latest.environment().variables(),
            live.environment() == null ? Map.of() : live.environment().variables())
        // An interrupted deploy may have changed SnapStart on $LATEST only.
        && snapStartOf(latest).equals(snapStartOf(live));
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

  /** Publishes a version and points the alias at it when planned; returns the alias ARN. */
  public String applyAlias(Desired want, Optional<Current> have, PlanStep alias) {
    if (alias.mutates()) {
      // $LATEST may still be settling even when this run changed nothing in it (an interrupted
      // deploy's update, or a change made elsewhere); Lambda refuses to publish until it has.
      aws.lambda().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(want.name()));
      String version =
          aws.lambda()
              .publishVersion(
                  r ->
                      r.functionName(want.name())
                          .codeSha256(want.artifact().sha256())
                          .description("novaproxy deploy"))
              .version();
      aws.lambda()
          .waiter()
          .waitUntilPublishedVersionActive(r -> r.functionName(want.name()).qualifier(version));
      if (have.isEmpty() || have.get().alias() == null) {
        return aws.lambda()
            .createAlias(
                r -> r.functionName(want.name()).name(ResourceNames.ALIAS).functionVersion(version))
            .aliasArn();
      }
      return aws.lambda()
          .updateAlias(
              r -> r.functionName(want.name()).name(ResourceNames.ALIAS).functionVersion(version))
          .aliasArn();
    }
    return have.get().alias().arn();
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
