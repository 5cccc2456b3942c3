package dev.novaproxy.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.metrics.EmfMetrics;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.MisconfiguredProxy;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxyRequest;
import dev.novaproxy.proxy.ProxyResponse;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.proxy.UpstreamUrl;
import dev.novaproxy.secrets.SecretsManagerSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The managed runtime's entry point, and the HTTP API door of {@link RuntimeLoop}: an API Gateway
 * HTTP API (payload 2.0) event in, the proxy core, a response out. HTTP APIs cannot stream, so a
 * streamed answer is collected whole and returned as one {@code text/event-stream} body, within
 * Lambda's 6 MB for a buffered response ({@link BufferedAnswer}).
 */
public final class LambdaHandler
    implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
  /** The HTTP API door (buffered), as the access line and the metrics name it. */
  static final String DOOR_API = "api";

  /** The function URL door (streamed). */
  static final String DOOR_STREAM = "stream";

  /** The proxy core both doors share; null when the settings are refused. */
  private final ProxyHandler proxy;

  /** What answers instead when the settings are refused. */
  private final MisconfiguredProxy misconfigured;

  /** The constructor Lambda calls: settings from the function's environment. */
  public LambdaHandler() {
    this(System.getenv(), defaultSecretSource(System.getenv()));
  }

  public LambdaHandler(Map<String, String> env, SecretSource key) {
    this(env, key, limitsStore(env), Clock.systemUTC(), System.out::println);
  }

  /** With the store client keys and counters are in (null: none), and the clock they count by. */
  public LambdaHandler(Map<String, String> env, SecretSource key, LimitsStore limits, Clock clock) {
    this(env, key, limits, clock, System.out::println);
  }

  /**
   * @param log where log lines go (CloudWatch Logs, through standard output)
   */
  LambdaHandler(Map<String, String> env, SecretSource key, Consumer<String> log) {
    this(env, key, null, Clock.systemUTC(), log);
  }

  LambdaHandler(
      Map<String, String> env,
      SecretSource key,
      LimitsStore limits,
      Clock clock,
      Consumer<String> log) {
    // Created once per container (and captured by a SnapStart snapshot); the key is fetched on
    // the first request, never here.
    ProxyHandler handler = null;
    MisconfiguredProxy refused = null;
    try {
      ProxySettings settings = ProxySettings.fromEnvironment(env);
      AccessLog access =
          new AccessLog(log, settings.logContent()).withLineMetrics(EmfMetrics.forFunction(env));
      handler = new ProxyHandler(settings, key, access, limits, clock);
      URI upstream = settings.checkedUpstream();
      if (UpstreamUrl.isExplicitlyAllowedHost(upstream)) {
        access.warn(UpstreamUrl.warning(upstream));
      }
    } catch (IllegalArgumentException e) {
      // Settings deploy wrote, or an operator edited, that cannot be used (a refused upstream
      // host, say): failing here would leave clients with the platform's bare 500 on every call.
      handler = null;
      refused =
          new MisconfiguredProxy(
              e.getMessage(),
              new AccessLog(log, false).withLineMetrics(EmfMetrics.forFunction(env)));
    }
    this.proxy = handler;
    this.misconfigured = refused;
  }

  /**
   * The keys table named by {@code NOVA_KEYS_TABLE}, or null without one. The client is built here,
   * once per container; no call is made until the first request.
   */
  static LimitsStore limitsStore(Map<String, String> env) {
    String table = env.get(LimitsSettings.ENV_KEYS_TABLE);
    if (table == null || table.isBlank()) {
      return null;
    }
    return DynamoLimitsStore.forFunction(table.strip());
  }

  static SecretSource defaultSecretSource(Map<String, String> env) {
    String name =
        env.getOrDefault(ProxySettings.ENV_SECRET_NAME, ProxySettings.DEFAULT_SECRET_NAME);
    // Bounded well inside the request's own timeout, so a slow Secrets Manager becomes the
    // proxy's 502 rather than the function timing out with no answer.
    return new SecretsManagerSource(
        name,
        () ->
            SecretsManagerClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(
                    c ->
                        c.apiCallTimeout(Duration.ofSeconds(5))
                            .apiCallAttemptTimeout(Duration.ofSeconds(2)))
                .build());
  }

  @Override
  public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
    return BufferedAnswer.of(handle(toRequest(event), null, DOOR_API)).response();
  }

  /** The buffered answer with the Nova exchange bounded by {@code timeLimit} (RuntimeLoop). */
  BufferedAnswer answer(APIGatewayV2HTTPEvent event, Duration timeLimit) {
    return BufferedAnswer.of(handle(toRequest(event), timeLimit, DOOR_API));
  }

  /** Either door's answer: the proxy's, or the misconfigured proxy's 500. */
  ProxyResponse handle(ProxyRequest request, Duration timeLimit, String door) {
    return proxy != null
        ? proxy.handle(request, timeLimit, door)
        : misconfigured.handle(request, door);
  }

  /** How long the HTTP API door waits for Nova (its own limit is 30 s). */
  Duration bufferedBound() {
    return proxy != null
        ? proxy.settings().totalTimeout()
        : ProxySettings.defaults().totalTimeout();
  }

  static ProxyRequest toRequest(APIGatewayV2HTTPEvent event) {
    String method = null;
    if (event.getRequestContext() != null && event.getRequestContext().getHttp() != null) {
      method = event.getRequestContext().getHttp().getMethod();
    }
    if (method == null) {
      method = "GET";
    }
    Map<String, String> headers = event.getHeaders() == null ? Map.of() : event.getHeaders();
    byte[] body;
    if (event.getBody() == null) {
      body = new byte[0];
    } else if (event.getIsBase64Encoded()) {
      try {
        body = Base64.getDecoder().decode(event.getBody());
      } catch (IllegalArgumentException e) {
        body = new byte[0];
      }
    } else {
      body = event.getBody().getBytes(StandardCharsets.UTF_8);
    }
    String path = event.getRawPath() == null ? "/" : event.getRawPath();
    // The caller's address as API Gateway saw it (what anonymous limits count by).
    String sourceIp =
        event.getRequestContext() == null || event.getRequestContext().getHttp() == null
            ? null
            : event.getRequestContext().getHttp().getSourceIp();
    return new ProxyRequest(method, path, headers, body, event.getRawQueryString(), sourceIp);
  }
}
