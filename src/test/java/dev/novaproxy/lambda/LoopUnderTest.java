package dev.novaproxy.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real runtime loop, with the real handler, on a thread of its own, between a loopback Runtime
 * API stand-in and a loopback Nova. Closing stops the stand-in, which ends the loop as a vanished
 * Runtime API would.
 */
public final class LoopUnderTest implements AutoCloseable {
  public static final String KEY = "sk-runtime-TEST-key-5d1e0f";
  private static final ObjectMapper JSON = new ObjectMapper();

  public final FakeNova nova;
  public final FakeRuntimeApi api;
  public final AtomicInteger keyFetches = new AtomicInteger();
  private final Thread thread;
  private volatile int exitCode = -1;

  private LoopUnderTest(
      FakeNova nova, Map<String, String> env, Runnable afterRestore, long maxStreamBytes) {
    this.nova = nova;
    this.api = FakeRuntimeApi.start();
    Map<String, String> all = new HashMap<>();
    all.put(ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString());
    all.putAll(env);
    SecretSource key =
        () -> {
          keyFetches.incrementAndGet();
          return KEY;
        };
    this.thread =
        new Thread(
            () ->
                exitCode =
                    RuntimeLoop.run(
                        new RuntimeApi(api.address()), all, key, afterRestore, maxStreamBytes),
            "runtime-loop");
    thread.setDaemon(true);
    thread.start();
  }

  public static LoopUnderTest start(FakeNova nova, Map<String, String> env) {
    return new LoopUnderTest(nova, env, () -> {}, FunctionUrlAnswer.MAX_STREAM_BYTES);
  }

  public static LoopUnderTest start(
      FakeNova nova, Map<String, String> env, Runnable afterRestore, long maxStreamBytes) {
    return new LoopUnderTest(nova, env, afterRestore, maxStreamBytes);
  }

  /** The loop's exit code once it has ended, waiting up to {@code timeout}; -1 if it has not. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    thread.join(timeout.toMillis());
    return exitCode;
  }

  public boolean running() {
    return thread.isAlive();
  }

  /** An event fixture from src/test/resources/events with its body replaced. */
  public static String event(String fixture, String body) {
    try (InputStream in = LoopUnderTest.class.getResourceAsStream("/events/" + fixture)) {
      ObjectNode e = (ObjectNode) JSON.readTree(in);
      if (body != null) {
        e.put("body", body);
      }
      return e.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A function URL event (streamed answer) for a chat request with this body. */
  public static String urlEvent(String body) {
    return event("url-chat-stream.json", body);
  }

  /** An HTTP API event (buffered answer) for a chat request with this body. */
  public static String apiEvent(String body) {
    return event("chat-stream.json", body);
  }

  /** Adds or replaces a header of an event. */
  public static String withHeader(String eventJson, String name, String value) {
    try {
      ObjectNode e = (ObjectNode) JSON.readTree(eventJson);
      ((ObjectNode) e.path("headers")).put(name, value);
      return e.toString();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public static final String STREAM_BODY =
      "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Stream me\"}]}";
  public static final String WHOLE_BODY =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello from Lambda\"}]}";

  @Override
  public void close() throws InterruptedException {
    api.close();
    thread.join(10_000);
    if (thread.isAlive()) {
      StringBuilder stack = new StringBuilder("the runtime loop did not stop:");
      for (StackTraceElement e : thread.getStackTrace()) {
        stack.append("\n  at ").append(e);
      }
      throw new AssertionError(stack);
    }
  }
}
