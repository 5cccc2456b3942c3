package dev.novaproxy.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxyRequest;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.secrets.SecretsManagerSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
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
  private final ProxyHandler proxy;

  /** The constructor Lambda calls: settings from the function's environment. */
  public LambdaHandler() {
    this(System.getenv(), defaultSecretSource(System.getenv()));
  }

  public LambdaHandler(Map<String, String> env, SecretSource key) {
    // Created once per container (and captured by a SnapStart snapshot); the key is fetched on
    // the first request, never here.
    ProxySettings settings = ProxySettings.fromEnvironment(env);
    this.proxy =
        new ProxyHandler(settings, key, new AccessLog(System.out::println, settings.logContent()));
  }

  /** The proxy core both doors share. */
  ProxyHandler proxy() {
    return proxy;
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
    return BufferedAnswer.of(proxy.handle(toRequest(event))).response();
  }

  /** The buffered answer with the Nova exchange bounded by {@code timeLimit} (RuntimeLoop). */
  BufferedAnswer answer(APIGatewayV2HTTPEvent event, Duration timeLimit) {
    return BufferedAnswer.of(proxy.handle(toRequest(event), timeLimit));
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
    return new ProxyRequest(method, path, headers, body);
  }
}
