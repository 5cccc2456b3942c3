package dev.novaproxy.testing;

import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.metrics.PrometheusMetrics;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The real local proxy ({@code serve}'s server and core) in front of a {@link FakeNova}, both on
 * loopback, with a plain HTTP client to call it. Log lines are captured so tests can read them.
 */
public final class RunningProxy implements AutoCloseable {
  /** The key the fake Nova accepts; tests assert it never leaks. */
  public static final String KEY = "sk-nova-TEST-KEY-do-not-leak-4f1c9a";

  public final FakeNova nova;
  public final LocalProxyServer server;
  public final List<String> logLines;
  public final PrometheusMetrics metrics; // null unless started withMetrics
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private RunningProxy(
      FakeNova nova, LocalProxyServer server, List<String> logLines, PrometheusMetrics metrics) {
    this.nova = nova;
    this.server = server;
    this.logLines = logLines;
    this.metrics = metrics;
  }

  /** As {@code serve} runs it: every request counted, GET /metrics answered (store may be null). */
  public static RunningProxy withMetrics(UnaryOperator<ProxySettings> tweak, LimitsStore store) {
    return start(tweak, () -> KEY, store, java.time.Clock.systemUTC(), new PrometheusMetrics());
  }

  public static RunningProxy start() {
    return start(s -> s);
  }

  /** Starts with default settings changed by {@code tweak}; the upstream is always the fake. */
  public static RunningProxy start(UnaryOperator<ProxySettings> tweak) {
    return start(tweak, () -> KEY);
  }

  public static RunningProxy start(UnaryOperator<ProxySettings> tweak, SecretSource key) {
    return start(tweak, key, null, java.time.Clock.systemUTC());
  }

  /** With client keys and limits counted in {@code store}, by {@code clock}. */
  public static RunningProxy withLimits(
      UnaryOperator<ProxySettings> tweak, LimitsStore store, java.time.Clock clock) {
    return start(tweak, () -> KEY, store, clock);
  }

  private static RunningProxy start(
      UnaryOperator<ProxySettings> tweak,
      SecretSource key,
      LimitsStore store,
      java.time.Clock clock) {
    return start(tweak, key, store, clock, null);
  }

  private static RunningProxy start(
      UnaryOperator<ProxySettings> tweak,
      SecretSource key,
      LimitsStore store,
      java.time.Clock clock,
      PrometheusMetrics metrics) {
    FakeNova nova = FakeNova.start().requireKey(KEY);
    List<String> lines = new CopyOnWriteArrayList<>();
    ProxySettings settings = tweak.apply(ProxySettings.defaults().withUpstream(nova.baseUrl()));
    try {
      AccessLog log = new AccessLog(lines::add, settings.logContent());
      ProxyHandler handler =
          metrics == null
              ? new ProxyHandler(settings, key, log, store, clock)
              : new ProxyHandler(settings, key, log.observedBy(metrics), store, metrics);
      LocalProxyServer server = LocalProxyServer.start(handler, "127.0.0.1", 0);
      return new RunningProxy(nova, server, lines, metrics);
    } catch (IOException e) {
      nova.close();
      throw new UncheckedIOException(e);
    }
  }

  public URI url(String path) {
    return server.baseUrl().resolve(path);
  }

  public HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url(path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    boolean typed = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      typed |= headers[i].equalsIgnoreCase("content-type");
    }
    if (!typed) {
      b.header("Content-Type", "application/json");
    }
    return send(b.build());
  }

  public HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    server.shutdown(Duration.ofSeconds(2));
    nova.close();
  }
}
