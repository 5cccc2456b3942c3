package dev.novaproxy.aws;

import dev.novaproxy.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.lambda.model.Architecture;

/**
 * One deployment of the proxy: reads what AWS holds, plans what to create or update, then applies
 * the plan in dependency order. The same inputs twice give a plan with no changes and no mutating
 * call; a half-finished deploy is completed by running it again.
 */
public final class Deployment {
  /** Everything deploy is asked to make. */
  public record Spec(
      ResourceNames names,
      String secretName,
      Artifact artifact,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      boolean snapStart,
      ProxySettings proxy,
      double throttleRate,
      int throttleBurst) {}

  /** What a deploy will do, and what it read to decide. */
  public record Plan(List<PlanStep> steps, Snapshot snapshot) {
    public boolean changes() {
      return steps.stream().anyMatch(PlanStep::mutates);
    }
  }

  /** What AWS held when the plan was made. */
  public record Snapshot(
      ResourceNames names,
      Account account,
      ApiKeySecret.Info secret,
      ExecutionRole.Desired role,
      Optional<ExecutionRole.Current> haveRole,
      ProxyFunction.Desired function,
      Optional<ProxyFunction.Current> haveFunction,
      HttpApi.Desired api,
      Optional<HttpApi.Current> haveApi,
      Optional<String> havePermission) {}

  /** The deployed proxy. */
  public record Result(
      String url,
      String apiId,
      String secretArn,
      String roleArn,
      String functionArn,
      String aliasArn,
      boolean changed) {}

  private final AwsClients aws;
  private final Backoff roleBackoff;

  public Deployment(AwsClients aws, Backoff roleBackoff) {
    this.aws = aws;
    this.roleBackoff = roleBackoff;
  }

  /**
   * The environment the function runs with: the policy, the secret's name, the upstream timeout.
   */
  public static Map<String, String> environment(Spec spec) {
    Map<String, String> env = new TreeMap<>(spec.proxy().toEnvironment());
    env.put(ProxySettings.ENV_SECRET_NAME, spec.secretName());
    // Give up on Nova before Lambda (and API Gateway, at 30 s) give up on us, so the client gets a
    // 504 body.
    env.put(
        ProxySettings.ENV_TIMEOUT_SECONDS,
        Integer.toString(Math.max(1, spec.timeoutSeconds() - 2)));
    // C1 only: the proxy mostly waits on Nova, and a cold start without C2 compiles was 12% faster
    // (bench/lambda-cold-start). Two common-pool threads: with one, CompletableFuture starts a
    // thread per async task, and Lambda functions below 1769 MB have a single vCPU.
    env.put(
        "JAVA_TOOL_OPTIONS",
        "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    return env;
  }

  /** Reads the current state and plans; makes no mutating call. */
  public Plan plan(Spec spec) {
    ResourceNames names = spec.names();
    Account account = Account.of(aws);
    ApiKeySecret.Info secret =
        new ApiKeySecret(aws)
            .find(spec.secretName())
            .filter(s -> !s.pendingDeletion())
            .orElseThrow(
                () ->
                    new AwsException(
                        AwsException.Kind.NOT_FOUND,
                        "There is no secret "
                            + spec.secretName()
                            + " in "
                            + aws.region()
                            + "; run 'novaproxy setup' first (or pass --secret-name)."));

    var roles = new ExecutionRole(aws);
    ExecutionRole.Desired role = ExecutionRole.desired(names, account, secret.arn());
    Optional<ExecutionRole.Current> haveRole = roles.read(role.name(), role.policyName());

    var functions = new ProxyFunction(aws, roleBackoff);
    ProxyFunction.Desired function =
        new ProxyFunction.Desired(
            names.function(),
            role.arn(),
            spec.architecture(),
            spec.memoryMb(),
            spec.timeoutSeconds(),
            environment(spec),
            spec.snapStart(),
            spec.artifact(),
            names.tags());
    Optional<ProxyFunction.Current> haveFunction = functions.read(function.name());

    String aliasArn = account.functionArn(function.name()) + ":" + ResourceNames.ALIAS;
    var apis = new HttpApi(aws);
    HttpApi.Desired api =
        new HttpApi.Desired(
            names.api(),
            spec.proxy().policy().allowedOrigins(),
            aliasArn,
            spec.throttleRate(),
            spec.throttleBurst(),
            names.tags());
    Optional<HttpApi.Current> haveApi = apis.read(names);

    var permissions = new InvokePermission(aws);
    // Read even without an alias: a statement left from an earlier alias must be replaced, not
    // duplicated.
    Optional<String> havePermission =
        haveFunction.isPresent()
            ? permissions.read(function.name(), names.permissionStatement())
            : Optional.empty();

    List<PlanStep> steps = new ArrayList<>();
    steps.add(roles.plan(role, haveRole, names));
    steps.addAll(functions.plan(function, haveFunction, names));
    steps.addAll(apis.plan(api, haveApi));
    String sourceArn = haveApi.map(a -> account.executeApiArn(a.api().apiId())).orElse(null);
    steps.add(
        permissions.plan(function.name(), names.permissionStatement(), sourceArn, havePermission));
    return new Plan(
        steps,
        new Snapshot(
            names,
            account,
            secret,
            role,
            haveRole,
            function,
            haveFunction,
            api,
            haveApi,
            havePermission));
  }

  /** Applies a plan made by {@link #plan} just before; one progress line per step. */
  public Result apply(Plan plan, Progress progress) {
    Snapshot s = plan.snapshot();
    StepClock clock = new StepClock(progress);
    List<PlanStep> steps = plan.steps();
    var roles = new ExecutionRole(aws);
    var functions = new ProxyFunction(aws, roleBackoff);
    String roleArn = clock.run(steps.get(0), () -> roles.apply(s.role(), s.haveRole()));
    if (roleArn == null) {
      roleArn = s.haveRole().map(ExecutionRole.Current::arn).orElse(s.role().arn());
    }
    clock.run(
        steps.get(1),
        () -> {
          functions.applyFunction(s.function(), s.haveFunction(), steps.get(1), progress);
          return null;
        });
    String aliasArn =
        clock.run(
            steps.get(2), () -> functions.applyAlias(s.function(), s.haveFunction(), steps.get(2)));
    if (aliasArn == null) {
      aliasArn = s.haveFunction().get().alias().arn();
    }
    String apiId =
        new HttpApi(aws).apply(s.api(), s.haveApi(), steps.subList(3, 7), progress, clock);
    String sourceArn = s.account().executeApiArn(apiId);
    PlanStep permission = steps.get(7);
    clock.run(
        permission,
        () -> {
          new InvokePermission(aws)
              .apply(
                  s.function().name(),
                  s.names().permissionStatement(),
                  sourceArn,
                  s.havePermission());
          return null;
        });
    return new Result(
        s.account().apiUrl(apiId) + "/chat",
        apiId,
        s.secret().arn(),
        roleArn,
        s.account().functionArn(s.function().name()),
        aliasArn,
        plan.changes());
  }
}
