package dev.novaproxy.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.metrics.EmfMetrics;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real Lambda handler, as the deployed function runs it (its environment names the function, so
 * it writes EMF), with the lines it writes to standard output captured: through the managed
 * runtime's entry point, and through novaproxy's runtime loop (both doors) between the Runtime API
 * stand-in and a loopback Nova. For tests of what the function logs, and of reading those logs.
 */
public final class HandlerUnderLog implements AutoCloseable {
  public static final String FUNCTION = "novaproxy-proxy";
  public static final String KEY = "sk-emf-TEST-key-93c0aa";
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Every line the handler wrote, in order. */
  public final List<String> lines = new CopyOnWriteArrayList<>();

  private final LambdaHandler handler;
  private final FakeRuntimeApi api;
  private final Thread loop;

  /**
   * @param env more environment for the function (limits, say); null store: no client keys
   */
  public HandlerUnderLog(FakeNova nova, Map<String, String> env, LimitsStore store) {
    Map<String, String> all = new HashMap<>(env);
    all.put(ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString());
    all.putIfAbsent(EmfMetrics.ENV_FUNCTION_NAME, FUNCTION);
    handler = new LambdaHandler(all, () -> KEY, store, Clock.systemUTC(), lines::add);
    api = FakeRuntimeApi.start();
    RuntimeLoop runtime =
        new RuntimeLoop(
            new RuntimeApi(api.address()),
            handler,
            FunctionUrlAnswer.MAX_STREAM_BYTES,
            System::currentTimeMillis);
    loop = new Thread(runtime::serve, "runtime-loop");
    loop.setDaemon(true);
    loop.start();
  }

  public HandlerUnderLog(FakeNova nova) {
    this(nova, Map.of(), null);
  }

  /** An event fixture through the managed runtime's entry point (the HTTP API door). */
  public APIGatewayV2HTTPResponse managed(String fixture) {
    return handler.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/" + fixture), null);
  }

  /** A chat body through the runtime loop's HTTP API door (buffered). */
  public FakeRuntimeApi.Response api(String body) {
    return through(LoopUnderTest.apiEvent(body));
  }

  /** A chat body through the runtime loop's function URL door (streamed). */
  public FakeRuntimeApi.Response url(String body) {
    return through(LoopUnderTest.urlEvent(body));
  }

  private FakeRuntimeApi.Response through(String event) {
    String id = api.enqueue(event, Duration.ofSeconds(60));
    return api.awaitResponse(id, WAIT);
  }

  /** The last line written, once it is there (a stream's is written as the stream ends). */
  public String lastLine(int expectedCount) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (lines.size() < expectedCount && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    if (lines.size() < expectedCount) {
      throw new AssertionError("expected " + expectedCount + " lines, got " + lines);
    }
    return lines.get(expectedCount - 1);
  }

  @Override
  public void close() throws InterruptedException {
    api.close();
    loop.join(10_000);
  }
}
