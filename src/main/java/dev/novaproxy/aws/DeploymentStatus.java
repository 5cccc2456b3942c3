package dev.novaproxy.aws;

import dev.novaproxy.limits.LimitsSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads what a deployment has in AWS, without changing anything. */
public final class DeploymentStatus {
  /**
   * One resource.
   *
   * @param kind secret, role, function, alias, api, stage, permission, stream-url or keys-table
   * @param name its name or identifier
   * @param present whether it exists
   * @param state its state as AWS reports it (e.g. Active), or null
   * @param version the published version (alias) or runtime detail, or null
   * @param lastChange when it last changed, when AWS says
   */
  public record Resource(
      String kind, String name, boolean present, String state, String version, Instant lastChange) {

    /**
     * Present and in a state that works: not a failed or inactive function, not an API missing
     * routes or its integration, not a permission for another API, not a role without its policy.
     */
    public boolean usable() {
      if (!present) {
        return false;
      }
      if (state == null) {
        return true;
      }
      // The custom domain's: a certificate serves only once issued, records and mapping complete.
      if (kind.equals("certificate")) {
        return state.equals("ISSUED");
      }
      if (state.startsWith("Routes ")) {
        String[] counts = state.substring("Routes ".length()).split("/");
        return counts.length == 2 && counts[0].equals(counts[1]);
      }
      return !(state.contains("Failed")
          || state.contains("Inactive")
          || state.equals("NoIntegration")
          || state.equals("OtherSource")
          || state.equals("AccessPolicyMissing")
          || state.equals("PermissionMissing")
          || state.equals("OtherApi")
          || state.equals("AliasMissing")
          || state.startsWith("NotStreaming"));
    }
  }

  /**
   * All resources, the URL when the API exists, the stream URL when there is one, and whether
   * everything is there.
   */
  public record Report(
      String name,
      String region,
      List<Resource> resources,
      String url,
      String streamUrl,
      Monitoring.Current monitoring,
      String domainUrl,
      Optional<LiveAlias.State> alias) {
    /** Whether the deployment has a function (of its own): then it can have metrics. */
    public boolean hasFunction() {
      return resources.stream().anyMatch(r -> r.kind().equals("function") && r.present());
    }

    public boolean deployed() {
      return resources.stream().allMatch(Resource::usable);
    }

    /**
     * Nothing but data is left: the secret, the keys table and the log group outlive a plain
     * destroy.
     */
    public boolean nothingDeployed() {
      return resources.stream()
          .filter(
              r ->
                  !r.kind().equals("secret")
                      && !r.kind().equals(KeysTable.RESOURCE)
                      && !r.kind().equals(LogGroup.RESOURCE))
          .noneMatch(Resource::present);
    }
  }

  private final AwsClients aws;

  public DeploymentStatus(AwsClients aws) {
    this.aws = aws;
  }

  public Report read(ResourceNames names, String secretName) {
    Account account = Account.of(aws);
    List<Resource> out = new ArrayList<>();

    Optional<ApiKeySecret.Info> secret = new ApiKeySecret(aws).find(secretName);
    out.add(
        new Resource(
            "secret",
            secretName,
            secret.isPresent() && !secret.get().pendingDeletion(),
            secret.map(s -> s.pendingDeletion() ? "PendingDeletion" : "Available").orElse(null),
            null,
            secret.map(ApiKeySecret.Info::lastChanged).orElse(null)));

    Optional<ExecutionRole.Current> role =
        new ExecutionRole(aws).read(names.role(), names.rolePolicy());
    out.add(
        new Resource(
            "role",
            names.role(),
            role.isPresent() && names.owns(role.get().tags()),
            role.map(r -> r.policy() == null ? "AccessPolicyMissing" : "Ready").orElse(null),
            null,
            role.map(ExecutionRole.Current::created).orElse(null)));

    Optional<ProxyFunction.Current> fn =
        new ProxyFunction(aws, Backoff.iamPropagation()).read(names.function());
    out.add(
        new Resource(
            "function",
            names.function(),
            fn.isPresent() && names.owns(fn.get().tags()),
            fn.map(f -> f.latest().stateAsString() + "/" + f.latest().lastUpdateStatusAsString())
                .orElse(null),
            fn.map(f -> f.latest().runtimeAsString() + " " + f.latest().architecturesAsStrings())
                .orElse(null),
            fn.map(f -> parseLambdaTime(f.latest().lastModified())).orElse(null)));
    LiveAlias.State alias = fn.map(ProxyFunction.Current::alias).orElse(null);
    FunctionLive live = fn.map(f -> new FunctionLive(f.live())).orElse(new FunctionLive(null));
    out.add(
        new Resource(
            "alias",
            names.function() + ":" + ResourceNames.ALIAS,
            alias != null,
            live.config() == null ? null : live.config().stateAsString(),
            alias == null ? null : alias.version(),
            live.config() == null ? null : parseLambdaTime(live.config().lastModified())));

    Optional<HttpApi.Current> api = new HttpApi(aws).read(names);
    out.add(
        new Resource(
            "api",
            api.map(a -> names.api() + " (" + a.api().apiId() + ")").orElse(names.api()),
            api.isPresent(),
            api.map(
                    a ->
                        a.integration() == null
                            ? "NoIntegration"
                            : "Routes " + a.routes().size() + "/" + HttpApi.ROUTES.size())
                .orElse(null),
            null,
            api.map(a -> a.api().createdDate()).orElse(null)));
    var stage = api.map(HttpApi.Current::stage).orElse(null);
    out.add(
        new Resource(
            "stage",
            ResourceNames.STAGE,
            stage != null,
            stage == null
                ? null
                : (Boolean.TRUE.equals(stage.autoDeploy()) ? "AutoDeploy" : "Manual"),
            stage == null ? null : stage.deploymentId(),
            stage == null ? null : stage.lastUpdatedDate()));

    // One read of the alias's policy for the API's permission and the stream URL's statements.
    AliasPolicy policy =
        alias == null ? new AliasPolicy(null) : AliasPolicy.read(aws, names.function());
    Optional<String> permission = InvokePermission.read(policy, names.permissionStatement());
    String expected = api.map(a -> account.executeApiArn(a.api().apiId())).orElse(null);
    out.add(
        new Resource(
            "permission",
            names.permissionStatement(),
            permission.isPresent(),
            permission.map(p -> p.equals(expected) ? "ScopedToApi" : "OtherSource").orElse(null),
            null,
            null));

    // Optional (deploy --no-stream-url): listed when it, or one of its statements, exists.
    StreamUrl.Current stream =
        fn.isPresent()
            ? new StreamUrl(aws).read(names, policy)
            : new StreamUrl.Current(null, Set.of());
    if (stream.config() != null || !stream.statements().isEmpty()) {
      String mode = stream.config() == null ? null : stream.config().invokeModeAsString();
      String state;
      if (stream.config() == null) {
        state = "NoUrl";
      } else if (!"RESPONSE_STREAM".equals(mode)) {
        state = "NotStreaming (" + mode + ")";
      } else if (stream.statements().size() < 2) {
        state = "PermissionMissing";
      } else {
        state = "Streaming";
      }
      out.add(
          new Resource(
              "stream-url",
              stream.url().orElse(names.function() + ":" + ResourceNames.ALIAS),
              stream.config() != null,
              state,
              null,
              stream.config() == null
                  ? null
                  : parseLambdaTime(stream.config().lastModifiedTime())));
    }

    // What answers requests, not $LATEST, whose settings after a rollback are a later deploy's
    // (--no-keys, say).
    java.util.Map<String, String> running =
        fn.map(f -> Deployment.environmentOf(f.running())).orElse(java.util.Map.of());
    // Listed when the function uses a keys table, or one is left (--no-keys, a plain destroy).
    Optional<KeysTable.Current> table =
        new KeysTable(aws, Backoff.iamPropagation()).read(names.keysTable());
    boolean used = running.containsKey(LimitsSettings.ENV_KEYS_TABLE);
    if (used || table.isPresent()) {
      boolean ours = table.isPresent() && names.owns(table.get().tags());
      out.add(
          new Resource(
              KeysTable.RESOURCE,
              names.keysTable(),
              ours,
              table.map(t -> t.table().tableStatusAsString()).orElse(null),
              ours ? table.get().summary() + (used ? "" : "; not used (--no-keys)") : null,
              table.map(t -> t.table().creationDateTime()).orElse(null)));
    }

    Monitoring.Current monitoring = new Monitoring(aws).observe(names, account);
    out.addAll(monitoringResources(names, account, monitoring, running));
    // Listed when there is a custom domain (deploy --domain), or a certificate deploy requested.
    DomainStatus.Report domain =
        new DomainStatus(aws, names).read(api.map(a -> a.api().apiId()).orElse(null));
    out.addAll(domain.resources());

    String url = api.map(a -> account.apiUrl(a.api().apiId()) + "/chat").orElse(null);
    return new Report(
        names.name(),
        aws.region(),
        out,
        url,
        stream.url().map(Deployment::chatPath).orElse(null),
        monitoring,
        domain.url(),
        Optional.ofNullable(alias));
  }

  /**
   * The log group (listed once there is one, or a function to have one), and with an alarm topic
   * the topic and each alarm the deployment should have, present or not.
   */
  private static List<Resource> monitoringResources(
      ResourceNames names,
      Account account,
      Monitoring.Current m,
      java.util.Map<String, String> env) {
    List<Resource> out = new ArrayList<>();
    if (m.logGroup().isPresent() || !env.isEmpty()) {
      out.add(
          new Resource(
              LogGroup.RESOURCE,
              names.logGroup(),
              m.logGroup().isPresent(),
              m.logGroup()
                  .map(g -> "Retention " + MonitoringSettings.retention(g.retentionDays()))
                  .orElse(null),
              null,
              null));
    }
    var topic = m.topic().filter(t -> names.owns(t.tags()));
    if (topic.isEmpty()) {
      return out;
    }
    out.add(
        new Resource(
            AlertTopic.RESOURCE,
            names.alarmTopic(),
            true,
            "Email " + topic.get().emailState(),
            topic.get().email(),
            null));
    LimitsSettings limits;
    try {
      limits = LimitsSettings.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      limits = LimitsSettings.off();
    }
    Long budget = limits.keysTable() == null ? null : limits.dailyTokenBudget();
    for (var want : AlarmSet.of(names, AlertTopic.arn(account, names), budget)) {
      var have = m.alarms().get(want.alarmName());
      String kind = AlarmSet.kindOf(names, want.alarmName());
      out.add(
          new Resource(
              Alarms.RESOURCE,
              want.alarmName(),
              have != null,
              have == null ? null : have.alarm().stateValueAsString(),
              AlarmSet.summary(kind),
              have == null ? null : have.alarm().stateUpdatedTimestamp()));
    }
    return out;
  }

  private record FunctionLive(
      software.amazon.awssdk.services.lambda.model.FunctionConfiguration config) {}

  /** Lambda writes times as 2024-01-01T12:00:00.000+0000. */
  static Instant parseLambdaTime(String text) {
    if (text == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(
              text, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ"))
          .toInstant();
    } catch (RuntimeException e) {
      try {
        return java.time.OffsetDateTime.parse(text).toInstant();
      } catch (RuntimeException again) {
        return null;
      }
    }
  }
}
