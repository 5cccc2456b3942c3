package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.limits.Caller;
import dev.novaproxy.limits.Limiter;
import dev.novaproxy.limits.LimitsStore;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The proxy: one request in, one response out, the same for {@code serve} and for Lambda. Routes,
 * checks, applies the policy, forwards to Nova and logs. It never throws: every failure becomes an
 * OpenAI-shaped error response carrying the request id.
 *
 * <p>With a {@link LimitsStore}, client keys and usage limits apply to the chat and models routes
 * ({@link LimitsGate}); without one, only the static client tokens, as before keys.
 */
public final class ProxyHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAT_METHODS = "POST, OPTIONS";
  private static final String GET_METHODS = "GET, OPTIONS";

  private final ProxySettings settings;
  private final RequestValidator validator;
  private final NovaUpstream upstream;
  private final Cors cors;
  private final AccessLog log;
  private final LimitsGate limits; // null: no client keys or limits
  private final MetricsPage metrics; // null: GET /metrics is 404
  private final byte[] health;

  /**
   * @throws IllegalArgumentException when the upstream URL's host is not allowed by the settings
   *     ({@link ProxySettings#checkedUpstream}): no proxy is built that could send the key there
   */
  public ProxyHandler(ProxySettings settings, SecretSource key, AccessLog log) {
    this(settings, key, log, (LimitsStore) null);
  }

  /**
   * With client keys and the limits in {@code settings.limits()} checked against {@code store}
   * (null: none).
   *
   * @throws IllegalArgumentException when the settings ask for limits and there is no store
   */
  public ProxyHandler(ProxySettings settings, SecretSource key, AccessLog log, LimitsStore store) {
    this(settings, key, log, store, Clock.systemUTC());
  }

  /** As above, with the clock the limits count by (tests move it). */
  public ProxyHandler(
      ProxySettings settings, SecretSource key, AccessLog log, LimitsStore store, Clock clock) {
    this(settings, key, log, List.of(NovaUpstream.newHttpClient(settings)), store, clock, null);
  }

  /**
   * As above, answering {@code GET /metrics} with {@code metrics} (serve), behind the same client
   * credential as {@code /v1/models}.
   */
  public ProxyHandler(
      ProxySettings settings,
      SecretSource key,
      AccessLog log,
      LimitsStore store,
      MetricsPage metrics) {
    this(settings, key, log, store, 1, metrics);
  }

  /**
   * As {@link #ProxyHandler(ProxySettings, SecretSource, AccessLog, LimitsStore)}, talking to Nova
   * through up to {@code upstreamClients} HTTP clients, the next one taken when many exchanges wait
   * on the ones before: each client does all its I/O on one thread, which thousands of streams
   * starting at once (serve) can keep busy; one request at a time (Lambda) wants one client.
   */
  public ProxyHandler(
      ProxySettings settings,
      SecretSource key,
      AccessLog log,
      LimitsStore store,
      int upstreamClients) {
    this(settings, key, log, store, upstreamClients, null);
  }

  /** Both of the above: serve's handler, with its metrics page and its upstream clients. */
  public ProxyHandler(
      ProxySettings settings,
      SecretSource key,
      AccessLog log,
      LimitsStore store,
      int upstreamClients,
      MetricsPage metrics) {
    this(
        settings,
        key,
        log,
        java.util.stream.Stream.generate(() -> NovaUpstream.newHttpClient(settings))
            .limit(Math.max(1, upstreamClients))
            .toList(),
        store,
        Clock.systemUTC(),
        metrics);
  }

  ProxyHandler(ProxySettings settings, SecretSource key, AccessLog log, HttpClient http) {
    this(settings, key, log, List.of(http), null, Clock.systemUTC(), null);
  }

  private ProxyHandler(
      ProxySettings settings,
      SecretSource key,
      AccessLog log,
      List<HttpClient> http,
      LimitsStore store,
      Clock clock,
      MetricsPage metrics) {
    settings.checkedUpstream();
    if (store == null && settings.limits().active()) {
      // Refuse to start rather than run without the limits the operator asked for.
      throw new IllegalArgumentException(
          "Client keys and usage limits are configured but there is no store to count them in"
              + " (set "
              + dev.novaproxy.limits.LimitsSettings.ENV_KEYS_TABLE
              + ").");
    }
    this.settings = settings;
    this.validator = new RequestValidator(settings.policy());
    CachedSecret secret = new CachedSecret(key, settings.secretTtl(), Clock.systemUTC(), log::warn);
    this.upstream = new NovaUpstream(http, settings, secret);
    this.cors = new Cors(settings.policy().allowedOrigins());
    this.log = log;
    this.metrics = metrics;
    this.limits =
        store == null
            ? null
            : new LimitsGate(
                new Limiter(settings.limits(), store, settings.clientAuth(), clock), log);
    ObjectNode h =
        JSON.createObjectNode()
            .put("status", "ok")
            .put("version", Version.current())
            .put("commit", Version.commit());
    this.health = h.toString().getBytes(StandardCharsets.UTF_8);
  }

  public ProxySettings settings() {
    return settings;
  }

  public ProxyResponse handle(ProxyRequest request) {
    return handle(request, null);
  }

  /**
   * As {@link #handle(ProxyRequest)}, with the exchange with Nova (a streamed answer included)
   * bounded by {@code timeLimit} instead of the settings' total timeout, which then bounds only the
   * silence mid-stream. Lambda passes what is left of its invocation here.
   */
  public ProxyResponse handle(ProxyRequest request, Duration timeLimit) {
    return handle(request, timeLimit, null);
  }

  /**
   * As {@link #handle(ProxyRequest, Duration)}, with the request logged (and counted in the
   * metrics) as having come through {@code door}: Lambda's {@code api} or {@code stream}.
   */
  public ProxyResponse handle(ProxyRequest request, Duration timeLimit, String door) {
    return Answers.join(handle(request, timeLimit, door, null));
  }

  /**
   * As {@link #handle(ProxyRequest)} with no thread waiting for Nova (serve): the checks run now,
   * on the calling thread; a chat's answer completes on {@code after} once Nova's headers are in,
   * where the rest (retries, a whole answer's body, limits, the log) may block. The stage never
   * fails: every failure is an error response, as with {@code handle}.
   */
  public CompletableFuture<ProxyResponse> handleAsync(ProxyRequest request, Executor after) {
    return handle(request, null, null, after);
  }

  /** Both: blocking when {@code after} is null (the stage is then complete on return). */
  private CompletableFuture<ProxyResponse> handle(
      ProxyRequest request, Duration timeLimit, String door, Executor after) {
    RequestRecord record =
        new RequestRecord(
            RequestIds.from(request.header("x-request-id")), request.method(), request.path());
    record.door = door;
    String origin = request.header("origin");
    return Answers.started(r -> route(r, record, origin, timeLimit, after), request)
        .handle((response, failure) -> finish(response, failure, record, origin));
  }

  private ProxyResponse finish(
      ProxyResponse response, Throwable failure, RequestRecord record, String origin) {
    if (failure != null) {
      Throwable cause = Answers.cause(failure);
      if (cause instanceof ProxyException e) {
        record.errorCode = e.code();
        response = ErrorBodies.response(e);
      } else {
        // A bug, not a client error: say so without details that could leak anything.
        record.errorCode = "internal_error";
        response =
            ErrorBodies.response(
                ProxyException.internal(
                    "The proxy failed unexpectedly (" + cause.getClass().getSimpleName() + ")."));
      }
    }
    response.header("x-request-id", record.requestId);
    cors.decorate(response, origin);
    record.status = response.status();
    if (response.streaming()) {
      return withLogAtEnd(response, record);
    }
    log.write(record);
    return response;
  }

  private CompletableFuture<ProxyResponse> route(
      ProxyRequest request,
      RequestRecord record,
      String origin,
      Duration timeLimit,
      Executor after) {
    if (isChat(request.method(), request.path())) {
      record.route = "chat";
      requireOrigin(origin);
      Caller caller = requireClient(request, record);
      return chat(request, record, caller, timeLimit, after);
    }
    return CompletableFuture.completedFuture(route(request, record, origin, timeLimit));
  }

  private ProxyResponse route(
      ProxyRequest request, RequestRecord record, String origin, Duration timeLimit) {
    String path = normalise(request.path());
    String method = request.method().toUpperCase(Locale.ROOT);
    switch (path) {
      case "/chat", "/v1/chat/completions" -> {
        record.route = "chat";
        if (method.equals("OPTIONS")) {
          return cors.preflight(origin);
        }
        // POST is a chat, taken before this switch
        throw ProxyException.methodNotAllowed(method, "POST");
      }
      case "/v1/models", "/models" -> {
        record.route = "models";
        if (method.equals("OPTIONS")) {
          return cors.preflight(origin);
        }
        if (!method.equals("GET")) {
          throw ProxyException.methodNotAllowed(method, "GET");
        }
        requireOrigin(origin);
        requireClient(request, record);
        return upstream.models(record, timeLimit);
      }
      case "/health" -> {
        record.route = "health";
        if (method.equals("OPTIONS")) {
          return cors.preflight(origin);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
          throw ProxyException.methodNotAllowed(method, "GET");
        }
        return ProxyResponse.json(200, health);
      }
      case "/metrics" -> {
        if (metrics == null) {
          throw ProxyException.notFound(path);
        }
        record.route = "metrics";
        if (!method.equals("GET") && !method.equals("HEAD")) {
          throw ProxyException.methodNotAllowed(method, "GET");
        }
        // The figures say who calls and how much: as private as the model list.
        requireClient(request, record);
        return new ProxyResponse(
            200, Map.of("Content-Type", metrics.contentType()), metrics.render(), null);
      }
      default -> throw ProxyException.notFound(path);
    }
  }

  /** The caller as the limits know it, or null when they are off (static tokens checked only). */
  private Caller requireClient(ProxyRequest request, RequestRecord record) {
    if (limits != null) {
      return limits.identify(request, record);
    }
    settings.clientAuth().check(request.header("authorization"));
    return null;
  }

  private void requireOrigin(String origin) {
    if (!cors.allows(origin)) {
      throw Cors.forbidden(origin);
    }
  }

  private CompletableFuture<ProxyResponse> chat(
      ProxyRequest request,
      RequestRecord record,
      Caller caller,
      Duration timeLimit,
      Executor after) {
    String type = request.header("content-type");
    if (type == null || !isJson(type)) {
      throw ProxyException.unsupportedMediaType(type == null ? "nothing" : type);
    }
    ValidatedRequest valid = validator.validate(request.body());
    record.model = valid.model();
    record.modelAlias = valid.alias();
    record.stream = valid.stream();
    if (valid.stream()) {
      LimitsGate.askForUsage(valid.body(), record);
    }
    if (log.logContent()) {
      record.contentIn = valid.body().get("messages");
      record.contentOut = new StringBuilder();
    }
    Function<ValidatedRequest, CompletableFuture<ProxyResponse>> forward =
        after == null
            ? v -> CompletableFuture.completedFuture(upstream.chat(v, record, timeLimit))
            : v -> upstream.chatAsync(v, record, timeLimit, after);
    if (limits != null) {
      return limits.chatAsync(caller, valid, request.body().length, record, forward);
    }
    return forward.apply(valid);
  }

  private static boolean isJson(String contentType) {
    String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return media.equals("application/json")
        || (media.startsWith("application/") && media.endsWith("+json"));
  }

  /**
   * Whether this is a chat completion: the route that calls Nova and may hold its connection for
   * minutes, which is what a server's capacity is counted in ({@code serve --max-in-flight}).
   */
  public static boolean isChat(String method, String path) {
    String p = normalise(path);
    return "POST".equalsIgnoreCase(method)
        && (p.equals("/chat") || p.equals("/v1/chat/completions"));
  }

  private static String normalise(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private ProxyResponse withLogAtEnd(ProxyResponse response, RequestRecord record) {
    ProxyResponse.EventStream logged =
        response.stream()
            .whenEnded(
                clientGone -> {
                  if (clientGone != null) {
                    record.errorCode = "client_disconnected";
                  }
                  log.write(record);
                });
    return new ProxyResponse(response.status(), response.headers(), null, logged);
  }
}
