package dev.novaproxy.aws;

import dev.novaproxy.lambda.RuntimeLoop;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.proxy.ProxySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.apigatewayv2.model.Api;
import software.amazon.awssdk.services.apigatewayv2.model.RouteSettings;
import software.amazon.awssdk.services.apigatewayv2.model.Stage;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

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
      DeploymentSettings settings,
      ProxyFunction.Release release) {

    /** A deploy whose new version goes live at once. */
    public Spec(
        ResourceNames names, String secretName, Artifact artifact, DeploymentSettings settings) {
      this(names, secretName, artifact, settings, ProxyFunction.Release.LIVE);
    }
  }

  /** What a deploy will do, and what it read to decide. */
  public record Plan(List<PlanStep> steps, Snapshot snapshot) {
    public boolean changes() {
      return steps.stream().anyMatch(PlanStep::mutates);
    }
  }

  /**
   * The deployment's resources as AWS holds them, read once: the settings deploy starts from are
   * taken from here before the plan is made from the same reads.
   */
  public record Observed(
      ResourceNames names,
      Account account,
      Optional<ExecutionRole.Current> haveRole,
      Optional<ProxyFunction.Current> haveFunction,
      Optional<HttpApi.Current> haveApi,
      Optional<String> havePermission,
      Optional<StreamUrl.Current> haveStreamUrl,
      Optional<KeysTable.Current> haveTable,
      Monitoring.Current haveMonitoring,
      Optional<CustomDomain.Current> haveDomain) {

    /**
     * The settings the deployed function runs with (and the stage's throttling), or empty when
     * there is no function of this deployment's.
     *
     * @throws AwsException when the function's environment cannot be read as settings
     */
    public Optional<DeploymentSettings> settings() {
      return haveFunction
          .filter(f -> names.owns(f.tags()))
          .map(
              f -> {
                // What the alias runs: after a rollback that is not $LATEST, and the next deploy
                // must start from what is live, not from what was rolled back.
                FunctionConfiguration c = f.running();
                ProxySettings proxy;
                LimitsSettings limits;
                try {
                  proxy = ProxySettings.fromEnvironment(environmentOf(c));
                  limits = LimitsSettings.fromEnvironment(environmentOf(c));
                } catch (IllegalArgumentException e) {
                  throw new AwsException(
                      AwsException.Kind.FAILED,
                      "The deployed function "
                          + c.functionName()
                          + " has a setting deploy cannot read ("
                          + e.getMessage()
                          + "); fix or remove that variable in the function's configuration"
                          + " (Lambda console, or aws lambda update-function-configuration), then"
                          + " deploy again.");
                }
                RouteSettings throttle =
                    haveApi
                        .map(HttpApi.Current::stage)
                        .map(Stage::defaultRouteSettings)
                        .orElse(null);
                return new DeploymentSettings(
                    c.architectures().contains(Architecture.X86_64)
                        ? DeploymentSettings.Arch.x86_64
                        : DeploymentSettings.Arch.arm64,
                    c.memorySize() == null ? DeploymentSettings.DEFAULT_MEMORY_MB : c.memorySize(),
                    c.timeout() == null ? DeploymentSettings.DEFAULT_TIMEOUT_SECONDS : c.timeout(),
                    ProxyFunction.snapStartValue(true)
                        .toString()
                        .equals(ProxyFunction.snapStartOf(c)),
                    throttle == null || throttle.throttlingRateLimit() == null
                        ? DeploymentSettings.DEFAULT_THROTTLE_RATE
                        : throttle.throttlingRateLimit(),
                    throttle == null || throttle.throttlingBurstLimit() == null
                        ? DeploymentSettings.DEFAULT_THROTTLE_BURST
                        : throttle.throttlingBurstLimit(),
                    haveStreamUrl.map(u -> u.config() != null).orElse(false),
                    proxy,
                    // A function from before client keys has no table: it keeps none.
                    limits.keysTable() != null,
                    limits,
                    haveMonitoring.settings(names),
                    haveDomain.map(DomainDeployment::settingOf).orElse(null));
              });
    }

    /**
     * The secret the deployed function reads, when there is a function: the live version's, like
     * {@link #settings}, so that a deploy after a rollback keeps the secret that is live.
     */
    public Optional<String> secretName() {
      return haveFunction
          .map(f -> environmentOf(f.running()))
          .map(env -> env.get(ProxySettings.ENV_SECRET_NAME))
          .filter(s -> !s.isBlank());
    }
  }

  /** What AWS held when the plan was made, and what deploy wants. */
  public record Snapshot(
      Observed observed,
      ApiKeySecret.Info secret,
      KeysTable.Desired table,
      ExecutionRole.Desired role,
      ProxyFunction.Desired function,
      HttpApi.Desired api,
      StreamUrl.Desired streamUrl,
      List<Monitoring.Item> monitoring,
      DomainDeployment.Plan domain) {}

  /** The deployed proxy. */
  public record Result(
      String url,
      String streamUrl,
      String keysTable,
      String apiId,
      String secretArn,
      String roleArn,
      String functionArn,
      String aliasArn,
      boolean changed,
      String domainUrl) {}

  private final AwsClients aws;
  private final Backoff roleBackoff;
  private Duration domainWait = DomainDeployment.DEFAULT_WAIT;
  private Duration domainPoll = DomainDeployment.DEFAULT_POLL;

  public Deployment(AwsClients aws, Backoff roleBackoff) {
    this.aws = aws;
    this.roleBackoff = roleBackoff;
  }

  /** How long apply waits for the custom domain's certificate, and how often it looks. */
  public Deployment withDomainWait(Duration wait, Duration poll) {
    this.domainWait = wait;
    this.domainPoll = poll;
    return this;
  }

  /**
   * The environment the function runs with: the policy, the client keys' table and limits, the
   * secret's name, the upstream timeout.
   */
  public static Map<String, String> environment(Spec spec) {
    DeploymentSettings settings = spec.settings();
    Map<String, String> env = new TreeMap<>(settings.proxy().toEnvironment());
    LimitsSettings l = settings.limits();
    env.putAll(
        new LimitsSettings(
                settings.keys() ? spec.names().keysTable() : null,
                l.anonymous(),
                l.anonymousRpm(),
                l.anonymousTokensPerDay(),
                l.dailyTokenBudget())
            .toEnvironment());
    env.put(ProxySettings.ENV_SECRET_NAME, spec.secretName());
    // The java21 runtime starts novaproxy's own Runtime API loop through this script (in the zip),
    // so that the function URL door can stream; the handler still answers the HTTP API door.
    env.put(RuntimeLoop.ENV_EXEC_WRAPPER, RuntimeLoop.WRAPPER_PATH);
    // Give up on Nova before Lambda (and API Gateway, at 30 s) give up on us, so the client gets a
    // 504 body.
    // The buffered door (the HTTP API) stops at 30 s whatever the function's timeout; the stream
    // door is bounded by each invocation's own deadline.
    env.put(
        ProxySettings.ENV_TIMEOUT_SECONDS,
        Integer.toString(
            Math.max(
                1,
                Math.min(settings.timeoutSeconds(), DeploymentSettings.API_TIMEOUT_SECONDS) - 2)));
    // C1 only: the proxy mostly waits on Nova, and a cold start without C2 compiles was 12% faster
    // (bench/lambda-cold-start). Two common-pool threads: with one, CompletableFuture starts a
    // thread per async task, and Lambda functions below 1769 MB have a single vCPU.
    env.put(
        "JAVA_TOOL_OPTIONS",
        "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    return env;
  }

  /** Reads what AWS holds for this deployment; makes no mutating call. */
  public Observed observe(ResourceNames names) {
    Account account = Account.of(aws);
    Optional<ExecutionRole.Current> haveRole =
        new ExecutionRole(aws).read(names.role(), names.rolePolicy());
    Optional<ProxyFunction.Current> haveFunction =
        new ProxyFunction(aws, roleBackoff).read(names.function());
    Optional<HttpApi.Current> haveApi = new HttpApi(aws).read(names);
    // Read even without an alias: a statement left from an earlier alias must be replaced, not
    // duplicated.
    AliasPolicy policy =
        haveFunction.isPresent() ? AliasPolicy.read(aws, names.function()) : new AliasPolicy(null);
    Optional<String> havePermission = InvokePermission.read(policy, names.permissionStatement());
    Optional<StreamUrl.Current> haveStreamUrl =
        haveFunction.isPresent()
            ? Optional.of(new StreamUrl(aws).read(names, policy))
            : Optional.empty();
    Optional<KeysTable.Current> haveTable = new KeysTable(aws, roleBackoff).read(names.keysTable());
    Monitoring.Current haveMonitoring = new Monitoring(aws).observe(names, account);
    Optional<CustomDomain.Current> haveDomain = new DomainDeployment(aws, names).observe();
    return new Observed(
        names,
        account,
        haveRole,
        haveFunction,
        haveApi,
        havePermission,
        haveStreamUrl,
        haveTable,
        haveMonitoring,
        haveDomain);
  }

  /** Reads the current state and plans; makes no mutating call. */
  public Plan plan(Spec spec) {
    return plan(spec, observe(spec.names()));
  }

  /** Plans from what {@link #observe} read just before; makes no mutating call. */
  public Plan plan(Spec spec, Observed seen) {
    ResourceNames names = spec.names();
    Account account = seen.account();
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

    DeploymentSettings settings = spec.settings();
    // First: the role's policy names the table.
    var tables = new KeysTable(aws, roleBackoff);
    KeysTable.Desired table =
        new KeysTable.Desired(names.keysTable(), settings.keys(), names.tags());
    Optional<PlanStep> tableStep = tables.plan(table, seen.haveTable(), names);

    var roles = new ExecutionRole(aws);
    ExecutionRole.Desired role =
        ExecutionRole.desired(
            names,
            account,
            secret.arn(),
            settings.keys() ? account.tableArn(names.keysTable()) : null);

    var functions = new ProxyFunction(aws, roleBackoff);
    ProxyFunction.Desired function =
        new ProxyFunction.Desired(
            names.function(),
            role.arn(),
            settings.arch() == DeploymentSettings.Arch.arm64
                ? Architecture.ARM64
                : Architecture.X86_64,
            settings.memoryMb(),
            settings.timeoutSeconds(),
            environment(spec),
            settings.snapStart(),
            spec.artifact(),
            names.tags(),
            spec.release());

    String aliasArn = account.functionArn(function.name()) + ":" + ResourceNames.ALIAS;
    var apis = new HttpApi(aws);
    HttpApi.Desired api =
        new HttpApi.Desired(
            names.api(),
            settings.proxy().policy().allowedOrigins(),
            aliasArn,
            settings.throttleRate(),
            settings.throttleBurst(),
            names.tags());

    List<PlanStep> steps = new ArrayList<>();
    tableStep.ifPresent(steps::add);
    steps.add(roles.plan(role, seen.haveRole(), names));
    steps.addAll(functions.plan(function, seen.haveFunction(), names));
    steps.addAll(apis.plan(api, seen.haveApi()));
    String sourceArn = seen.haveApi().map(a -> account.executeApiArn(a.api().apiId())).orElse(null);
    steps.add(
        new InvokePermission(aws)
            .plan(function.name(), names.permissionStatement(), sourceArn, seen.havePermission()));
    StreamUrl.Desired streamUrl =
        new StreamUrl.Desired(
            function.name(), settings.streamUrl(), settings.proxy().policy().allowedOrigins());
    steps.add(new StreamUrl(aws).plan(streamUrl, seen.haveStreamUrl(), names));
    steps.addAll(apis.planDuplicates(seen.haveApi()));
    // The alarms watch what the steps above made.
    List<Monitoring.Item> monitoring =
        new Monitoring(aws)
            .plan(
                settings.monitoring(),
                settings.enforcedDailyTokenBudget(),
                seen.haveMonitoring(),
                names,
                account);
    steps.addAll(Monitoring.steps(monitoring));
    // Last: the domain maps to the API's stage, and may wait minutes for its certificate.
    DomainDeployment.Plan domain =
        new DomainDeployment(aws, names)
            .plan(
                settings.domain(),
                seen.haveDomain(),
                seen.haveApi().map(a -> a.api().apiId()).orElse(null));
    steps.addAll(domain.steps());
    return new Plan(
        steps,
        new Snapshot(seen, secret, table, role, function, api, streamUrl, monitoring, domain));
  }

  /** Applies a plan made by {@link #plan} just before; one progress line per step. */
  public Result apply(Plan plan, Progress progress) {
    Snapshot s = plan.snapshot();
    Observed seen = s.observed();
    StepClock clock = new StepClock(progress);
    // The table's step comes first when there is one; the others follow at fixed places.
    boolean hasTableStep = plan.steps().get(0).resource().equals(KeysTable.RESOURCE);
    if (hasTableStep) {
      PlanStep tableStep = plan.steps().get(0);
      clock.run(
          tableStep,
          () -> new KeysTable(aws, roleBackoff).apply(s.table(), seen.haveTable(), tableStep));
    }
    List<PlanStep> steps = plan.steps().subList(hasTableStep ? 1 : 0, plan.steps().size());
    var roles = new ExecutionRole(aws);
    var functions = new ProxyFunction(aws, roleBackoff);
    String roleArn = clock.run(steps.get(0), () -> roles.apply(s.role(), seen.haveRole()));
    if (roleArn == null) {
      roleArn = seen.haveRole().map(ExecutionRole.Current::arn).orElse(s.role().arn());
    }
    clock.run(
        steps.get(1),
        () -> {
          functions.applyFunction(s.function(), seen.haveFunction(), steps.get(1), progress);
          return null;
        });
    String aliasArn =
        clock.run(
            steps.get(2),
            () -> functions.applyAlias(s.function(), seen.haveFunction(), steps.get(2)));
    if (aliasArn == null) {
      aliasArn = seen.haveFunction().get().alias().arn();
    }
    var apis = new HttpApi(aws);
    String apiId = apis.apply(s.api(), seen.haveApi(), steps.subList(3, 7), progress, clock);
    String sourceArn = seen.account().executeApiArn(apiId);
    PlanStep permission = steps.get(7);
    clock.run(
        permission,
        () -> {
          new InvokePermission(aws)
              .apply(
                  s.function().name(),
                  seen.names().permissionStatement(),
                  sourceArn,
                  seen.havePermission());
          return null;
        });
    PlanStep urlStep = steps.get(8);
    String streamUrl =
        clock.run(
            urlStep,
            () ->
                new StreamUrl(aws)
                    .apply(s.streamUrl(), seen.haveStreamUrl(), urlStep, seen.names()));
    if (!urlStep.mutates()) {
      streamUrl = seen.haveStreamUrl().flatMap(StreamUrl.Current::url).orElse(null);
    }
    List<Api> duplicates = seen.haveApi().map(HttpApi.Current::duplicates).orElse(List.of());
    for (int i = 0; i < duplicates.size(); i++) {
      Api duplicate = duplicates.get(i);
      clock.run(
          steps.get(9 + i),
          () -> {
            apis.deleteDuplicate(duplicate);
            return null;
          });
    }
    Monitoring.apply(s.monitoring(), clock);
    String domainUrl =
        new DomainDeployment(aws, seen.names(), domainWait, domainPoll)
            .apply(s.domain(), apiId, progress, clock);
    return new Result(
        seen.account().apiUrl(apiId) + "/chat",
        streamUrl == null ? null : chatPath(streamUrl),
        s.table().enabled() ? s.table().name() : null,
        apiId,
        s.secret().arn(),
        roleArn,
        seen.account().functionArn(s.function().name()),
        aliasArn,
        plan.changes(),
        domainUrl);
  }

  /** A function URL ends with '/'; the proxy's chat route is under it. */
  public static String chatPath(String functionUrl) {
    return functionUrl.endsWith("/") ? functionUrl + "chat" : functionUrl + "/chat";
  }

  static Map<String, String> environmentOf(FunctionConfiguration c) {
    return c.environment() == null || c.environment().variables() == null
        ? Map.of()
        : c.environment().variables();
  }
}
