package dev.novaproxy.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.apigatewayv2.model.Api;
import software.amazon.awssdk.services.apigatewayv2.model.Cors;
import software.amazon.awssdk.services.apigatewayv2.model.GetApisResponse;
import software.amazon.awssdk.services.apigatewayv2.model.Integration;
import software.amazon.awssdk.services.apigatewayv2.model.IntegrationType;
import software.amazon.awssdk.services.apigatewayv2.model.NotFoundException;
import software.amazon.awssdk.services.apigatewayv2.model.ProtocolType;
import software.amazon.awssdk.services.apigatewayv2.model.Route;
import software.amazon.awssdk.services.apigatewayv2.model.RouteSettings;
import software.amazon.awssdk.services.apigatewayv2.model.Stage;

/**
 * The HTTP API in front of the function: CORS, one Lambda proxy integration (payload 2.0) to the
 * alias, the proxy's routes, and the auto-deployed {@code $default} stage with throttling.
 */
public final class HttpApi {
  /**
   * The proxy's routes, and {@code $default} for everything else, so that an unknown path or a
   * wrong method gets the proxy's own OpenAI-shaped 404 or 405 rather than API Gateway's.
   */
  public static final List<String> ROUTES =
      List.of(
          "POST /chat", "POST /v1/chat/completions", "GET /v1/models", "GET /health", "$default");

  static final List<String> CORS_METHODS = dev.novaproxy.proxy.Cors.ALLOWED_METHODS;
  static final List<String> CORS_HEADERS = dev.novaproxy.proxy.Cors.ALLOWED_HEADERS;
  static final int INTEGRATION_TIMEOUT_MS = DeploymentSettings.API_TIMEOUT_SECONDS * 1000;

  /** The API deploy wants; {@code integrationUri} is the alias ARN. */
  public record Desired(
      String name,
      List<String> allowedOrigins,
      String integrationUri,
      double throttleRate,
      int throttleBurst,
      Map<String, String> tags) {}

  static final int CORS_MAX_AGE_SECONDS = 600;

  /**
   * The API as API Gateway holds it; integration and stage are null when missing. {@code
   * duplicates} are other APIs with this deployment's name and tag: a deploy whose CreateApi answer
   * was lost, then re-run, makes a second one. The oldest is kept, so every run picks the same.
   */
  public record Current(
      Api api, Integration integration, List<Route> routes, Stage stage, List<Api> duplicates) {
    public Current {
      duplicates = List.copyOf(duplicates);
    }
  }

  private final AwsClients aws;

  public HttpApi(AwsClients aws) {
    this.aws = aws;
  }

  /** Finds this deployment's API by name and tag; with duplicates, the one deploy keeps. */
  public Optional<Api> find(ResourceNames names) {
    return completestFirst(findAll(names)).stream().findFirst();
  }

  /** Every API with this deployment's name and tag, oldest first (then by ID). */
  List<Api> findAll(ResourceNames names) {
    List<Api> found = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      GetApisResponse page = aws.apis().getApis(r -> r.nextToken(t));
      for (Api api : page.items()) {
        if (names.api().equals(api.name()) && names.owns(api.tags())) {
          found.add(api);
        }
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    found.sort(
        Comparator.comparing((Api a) -> a.createdDate() == null ? Instant.MAX : a.createdDate())
            .thenComparing(Api::apiId));
    return found;
  }

  public Optional<Current> read(ResourceNames names) {
    List<Api> all = completestFirst(findAll(names));
    if (all.isEmpty()) {
      return Optional.empty();
    }
    Optional<Api> api = Optional.of(all.get(0));
    String id = api.get().apiId();
    List<Integration> integrations = aws.apis().getIntegrations(r -> r.apiId(id)).items();
    Integration integration =
        integrations.stream()
            .filter(i -> i.integrationType() == IntegrationType.AWS_PROXY)
            .findFirst()
            .orElse(null);
    List<Route> routes = aws.apis().getRoutes(r -> r.apiId(id)).items();
    Stage stage =
        aws.apis().getStages(r -> r.apiId(id)).items().stream()
            .filter(s -> ResourceNames.STAGE.equals(s.stageName()))
            .findFirst()
            .orElse(null);
    return Optional.of(
        new Current(api.get(), integration, routes, stage, all.subList(1, all.size())));
  }

  /**
   * With duplicates, the one that has a stage comes first: after a lost CreateApi answer the re-run
   * completes (and prints the URL of) the second API, so keeping the oldest would move the URL.
   * Otherwise oldest first; the sort is stable, so every run picks the same.
   */
  private List<Api> completestFirst(List<Api> apis) {
    if (apis.size() < 2) {
      return apis;
    }
    List<Api> sorted = new ArrayList<>(apis);
    Map<String, Boolean> staged = new java.util.HashMap<>();
    for (Api a : apis) {
      staged.put(
          a.apiId(),
          aws.apis().getStages(r -> r.apiId(a.apiId())).items().stream()
              .anyMatch(st -> ResourceNames.STAGE.equals(st.stageName())));
    }
    sorted.sort(Comparator.comparing((Api a) -> !staged.get(a.apiId())));
    return sorted;
  }

  /** A step per duplicate API: each is deleted, the oldest kept. */
  public List<PlanStep> planDuplicates(Optional<Current> have) {
    List<PlanStep> steps = new ArrayList<>();
    for (Api extra : have.map(Current::duplicates).orElse(List.of())) {
      steps.add(
          new PlanStep(
              "api",
              extra.name() + " (" + extra.apiId() + ")",
              Action.DELETE,
              List.of(
                  "a duplicate left by an interrupted deploy; "
                      + have.get().api().apiId()
                      + " is kept")));
    }
    return steps;
  }

  /** Deletes one duplicate that {@link #planDuplicates} named. */
  public void deleteDuplicate(Api extra) {
    try {
      aws.apis().deleteApi(r -> r.apiId(extra.apiId()));
    } catch (NotFoundException e) {
      // already gone
    }
  }

  /** Four steps: the API (with CORS), the integration, the routes and the stage. */
  public List<PlanStep> plan(Desired want, Optional<Current> have) {
    if (have.isEmpty()) {
      return List.of(
          PlanStep.create("api", want.name()),
          PlanStep.create("integration", "AWS_PROXY -> " + want.integrationUri()),
          PlanStep.create("routes", String.join(", ", ROUTES)),
          PlanStep.create("stage", ResourceNames.STAGE));
    }
    Current c = have.get();
    String id = c.api().apiId();
    PlanStep api =
        PlanStep.updateIf(
            "api", want.name() + " (" + id + ")", corsChanges(want, c.api().corsConfiguration()));
    PlanStep integration =
        c.integration() == null
            ? PlanStep.create("integration", "AWS_PROXY -> " + want.integrationUri())
            : PlanStep.updateIf(
                "integration",
                c.integration().integrationId(),
                integrationChanges(want, c.integration()));
    String target =
        c.integration() == null ? null : "integrations/" + c.integration().integrationId();
    PlanStep routes =
        PlanStep.updateIf("routes", String.join(", ", ROUTES), routeChanges(c.routes(), target));
    PlanStep stage =
        c.stage() == null
            ? PlanStep.create("stage", ResourceNames.STAGE)
            : PlanStep.updateIf("stage", ResourceNames.STAGE, stageChanges(want, c.stage()));
    return List.of(api, integration, routes, stage);
  }

  static List<String> corsChanges(Desired want, Cors cors) {
    if (want.allowedOrigins().isEmpty()) {
      return cors == null ? List.of() : List.of("remove CORS");
    }
    if (cors == null) {
      return List.of("CORS origins " + want.allowedOrigins());
    }
    List<String> changes = new ArrayList<>();
    if (!Set.copyOf(cors.allowOrigins()).equals(Set.copyOf(want.allowedOrigins()))) {
      changes.add("CORS origins " + cors.allowOrigins() + " -> " + want.allowedOrigins());
    }
    if (!lower(cors.allowMethods()).equals(lower(CORS_METHODS))
        || !lower(cors.allowHeaders()).equals(lower(CORS_HEADERS))) {
      changes.add("CORS methods or headers");
    }
    if (!lower(cors.exposeHeaders()).equals(lower(dev.novaproxy.proxy.Cors.EXPOSED_HEADERS))) {
      changes.add(
          "CORS exposed headers "
              + cors.exposeHeaders()
              + " -> "
              + dev.novaproxy.proxy.Cors.EXPOSED_HEADERS);
    }
    if (!Objects.equals(cors.maxAge(), CORS_MAX_AGE_SECONDS)) {
      changes.add("CORS max age " + cors.maxAge() + " -> " + CORS_MAX_AGE_SECONDS);
    }
    return changes;
  }

  static List<String> integrationChanges(Desired want, Integration have) {
    List<String> changes = new ArrayList<>();
    if (!Objects.equals(have.integrationUri(), want.integrationUri())) {
      changes.add("target " + have.integrationUri() + " -> " + want.integrationUri());
    }
    if (!"2.0".equals(have.payloadFormatVersion())) {
      changes.add("payload format " + have.payloadFormatVersion() + " -> 2.0");
    }
    if (!Objects.equals(have.timeoutInMillis(), INTEGRATION_TIMEOUT_MS)) {
      changes.add("timeout " + have.timeoutInMillis() + " ms -> " + INTEGRATION_TIMEOUT_MS + " ms");
    }
    return changes;
  }

  static List<String> routeChanges(List<Route> routes, String target) {
    List<String> changes = new ArrayList<>();
    for (String key : ROUTES) {
      Optional<Route> r = routes.stream().filter(x -> key.equals(x.routeKey())).findFirst();
      if (r.isEmpty()) {
        changes.add("add " + key);
      } else if (target == null || !target.equals(r.get().target())) {
        changes.add("retarget " + key);
      }
    }
    for (Route r : routes) {
      if (!ROUTES.contains(r.routeKey())) {
        changes.add("remove " + r.routeKey());
      }
    }
    return changes;
  }

  static List<String> stageChanges(Desired want, Stage have) {
    List<String> changes = new ArrayList<>();
    if (!Boolean.TRUE.equals(have.autoDeploy())) {
      changes.add("auto-deploy");
    }
    RouteSettings s = have.defaultRouteSettings();
    Double rate = s == null ? null : s.throttlingRateLimit();
    Integer burst = s == null ? null : s.throttlingBurstLimit();
    if (rate == null || rate != want.throttleRate()) {
      changes.add("throttle rate " + rate + " -> " + want.throttleRate());
    }
    if (burst == null || burst != want.throttleBurst()) {
      changes.add("throttle burst " + burst + " -> " + want.throttleBurst());
    }
    return changes;
  }

  /**
   * Applies the plan, creating the API first when it is new; returns the API's ID. The steps must
   * come from {@link #plan} with the same inputs.
   */
  public String apply(
      Desired want,
      Optional<Current> have,
      List<PlanStep> steps,
      Progress progress,
      StepClock clock) {
    String apiId;
    if (have.isEmpty()) {
      apiId =
          clock.run(
              steps.get(0),
              () ->
                  aws.apis()
                      .createApi(
                          r ->
                              r.name(want.name())
                                  .protocolType(ProtocolType.HTTP)
                                  .corsConfiguration(cors(want))
                                  .tags(want.tags())
                                  .description("novaproxy"))
                      .apiId());
    } else {
      apiId = have.get().api().apiId();
      clock.run(
          steps.get(0),
          () -> {
            if (want.allowedOrigins().isEmpty()) {
              aws.apis().deleteCorsConfiguration(r -> r.apiId(apiId));
            } else {
              aws.apis().updateApi(r -> r.apiId(apiId).corsConfiguration(cors(want)));
            }
            return null;
          });
    }
    Integration existing = have.map(Current::integration).orElse(null);
    String integrationId =
        clock.run(
            steps.get(1),
            () -> {
              if (existing == null) {
                return aws.apis()
                    .createIntegration(
                        r ->
                            r.apiId(apiId)
                                .integrationType(IntegrationType.AWS_PROXY)
                                .integrationUri(want.integrationUri())
                                .payloadFormatVersion("2.0")
                                .timeoutInMillis(INTEGRATION_TIMEOUT_MS))
                    .integrationId();
              }
              aws.apis()
                  .updateIntegration(
                      r ->
                          r.apiId(apiId)
                              .integrationId(existing.integrationId())
                              .integrationUri(want.integrationUri())
                              .payloadFormatVersion("2.0")
                              .timeoutInMillis(INTEGRATION_TIMEOUT_MS));
              return existing.integrationId();
            });
    if (existing != null && !steps.get(1).mutates()) {
      integrationId = existing.integrationId();
    }
    String target = "integrations/" + integrationId;
    List<Route> routes = have.map(Current::routes).orElse(List.of());
    clock.run(
        steps.get(2),
        () -> {
          for (String key : ROUTES) {
            Optional<Route> r = routes.stream().filter(x -> key.equals(x.routeKey())).findFirst();
            if (r.isEmpty()) {
              aws.apis().createRoute(x -> x.apiId(apiId).routeKey(key).target(target));
            } else if (!target.equals(r.get().target())) {
              aws.apis().updateRoute(x -> x.apiId(apiId).routeId(r.get().routeId()).target(target));
            }
          }
          for (Route r : routes) {
            if (!ROUTES.contains(r.routeKey())) {
              aws.apis().deleteRoute(x -> x.apiId(apiId).routeId(r.routeId()));
            }
          }
          return null;
        });
    Stage stage = have.map(Current::stage).orElse(null);
    RouteSettings throttling =
        RouteSettings.builder()
            .throttlingRateLimit(want.throttleRate())
            .throttlingBurstLimit(want.throttleBurst())
            .build();
    clock.run(
        steps.get(3),
        () -> {
          if (stage == null) {
            aws.apis()
                .createStage(
                    r ->
                        r.apiId(apiId)
                            .stageName(ResourceNames.STAGE)
                            .autoDeploy(true)
                            .defaultRouteSettings(throttling)
                            .tags(want.tags()));
          } else {
            // Not implemented by moto (noted in the tests); real API Gateway supports it.
            aws.apis()
                .updateStage(
                    r ->
                        r.apiId(apiId)
                            .stageName(ResourceNames.STAGE)
                            .autoDeploy(true)
                            .defaultRouteSettings(throttling));
          }
          return null;
        });
    return apiId;
  }

  /**
   * Deletes the API (and any duplicate) with its integration, routes and stage. False when there
   * was none.
   */
  public boolean delete(ResourceNames names) {
    boolean deleted = false;
    for (Api api : findAll(names)) {
      try {
        aws.apis().deleteApi(r -> r.apiId(api.apiId()));
        deleted = true;
      } catch (NotFoundException e) {
        // deleted meanwhile
      }
    }
    return deleted;
  }

  private static Cors cors(Desired want) {
    if (want.allowedOrigins().isEmpty()) {
      return null;
    }
    return Cors.builder()
        .allowOrigins(want.allowedOrigins())
        .allowMethods(CORS_METHODS)
        .allowHeaders(CORS_HEADERS)
        .exposeHeaders(dev.novaproxy.proxy.Cors.EXPOSED_HEADERS)
        .maxAge(CORS_MAX_AGE_SECONDS)
        .build();
  }

  private static Set<String> lower(List<String> values) {
    Set<String> out = new HashSet<>();
    if (values != null) {
      values.forEach(v -> out.add(v.toLowerCase(java.util.Locale.ROOT)));
    }
    return out;
  }
}
