package dev.novaproxy.lambda;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.proxy.ProxyResponse;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * novaproxy's own Lambda runtime: a Runtime API client loop in place of the managed Java runtime's,
 * which cannot stream (its handler's first byte leaves when the handler returns). The {@code
 * java21} runtime still starts the JVM: {@code AWS_LAMBDA_EXEC_WRAPPER} names the wrapper script
 * ({@link #WRAPPER_PATH}), which keeps the runtime's JVM options and runs this class instead.
 *
 * <p>One function, two doors, one proxy core. Each event says which door it came through ({@link
 * HttpEvent}): a function URL's is answered as a stream ({@link FunctionUrlAnswer}), an HTTP API's
 * with today's buffered JSON ({@link LambdaHandler}); the same {@code ProxyHandler} applies the
 * same policy to both.
 *
 * <p>The loop, after https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html: initialise
 * (a failure goes to {@code /init/error}); under SnapStart wait in {@code /restore/next} while the
 * snapshot is taken (nothing before it has fetched the key or opened a connection to Nova); then
 * {@code /next}, answer, {@code /next}… An invocation that fails before its first byte goes to
 * {@code /invocation/{id}/error}. Everything runs on this one thread; nothing is left open between
 * invocations but the kept-alive connections to the Runtime API and to Nova.
 */
public final class RuntimeLoop {
  /**
   * The wrapper script in the deployed function ({@code /var/task} is the root of the zip): the
   * value of {@code AWS_LAMBDA_EXEC_WRAPPER}.
   */
  public static final String WRAPPER_PATH = "/var/task/novaproxy-runtime";

  /** The environment variable that makes the managed runtime start the wrapper. */
  public static final String ENV_EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER";

  static final String ENV_INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE";

  /**
   * Kept back from each invocation's deadline, so that a stream Nova has not finished ends with an
   * error event and trailers the client receives, rather than being cut off by Lambda.
   */
  static final Duration DEADLINE_MARGIN = Duration.ofSeconds(1);

  private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

  private final RuntimeApi api;
  private final LambdaHandler handler;
  private final FunctionUrlAnswer urlAnswers;
  private final LongSupplier epochMillis;

  RuntimeLoop(
      RuntimeApi api, LambdaHandler handler, long maxStreamBytes, LongSupplier epochMillis) {
    this.api = api;
    this.handler = handler;
    this.urlAnswers = new FunctionUrlAnswer(maxStreamBytes);
    this.epochMillis = epochMillis;
  }

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String address = env.get(RuntimeApi.ENV_RUNTIME_API);
    if (address == null || address.isBlank()) {
      System.err.println(
          "novaproxy's Lambda runtime needs "
              + RuntimeApi.ENV_RUNTIME_API
              + ": it runs inside AWS Lambda (use 'novaproxy serve' to run the proxy locally).");
      System.exit(2);
    }
    RuntimeApi api = new RuntimeApi(address);
    System.exit(
        run(
            api,
            env,
            LambdaHandler.defaultSecretSource(env),
            () -> log("info", "Restored from a SnapStart snapshot.", null)));
  }

  /**
   * Initialises, restores under SnapStart, then answers events until the Runtime API goes away.
   *
   * @param afterRestore work to do after a SnapStart restore; a failure goes to {@code
   *     /restore/error}
   * @return the process's exit code: the loop returns only when it cannot go on
   */
  static int run(RuntimeApi api, Map<String, String> env, SecretSource key, Runnable afterRestore) {
    return run(api, env, key, afterRestore, FunctionUrlAnswer.MAX_STREAM_BYTES);
  }

  static int run(
      RuntimeApi api,
      Map<String, String> env,
      SecretSource key,
      Runnable afterRestore,
      long maxStreamBytes) {
    RuntimeLoop loop;
    try {
      // Settings that cannot be used stop the function at init, where Lambda reports them (and a
      // SnapStart publish fails), rather than answering every request with the handler's 500.
      ProxySettings.fromEnvironment(env).checkedUpstream();
      loop =
          new RuntimeLoop(
              api, new LambdaHandler(env, key), maxStreamBytes, System::currentTimeMillis);
    } catch (RuntimeException e) {
      log("error", "The function cannot start: " + e.getMessage(), null);
      report(() -> api.initError(RuntimeError.of("Runtime.InitError", e)));
      return 1;
    }
    if ("snap-start".equals(env.get(ENV_INITIALIZATION_TYPE))) {
      try {
        api.restoreNext();
      } catch (IOException e) {
        log("error", "SnapStart restore failed: " + e.getMessage(), null);
        return 1;
      }
      try {
        afterRestore.run();
      } catch (RuntimeException e) {
        log("error", "After the SnapStart restore: " + e.getMessage(), null);
        report(() -> api.restoreError(RuntimeError.of("Runtime.AfterRestoreError", e)));
        return 1;
      }
    }
    return loop.serve();
  }

  /** Answers events one after another; returns when the Runtime API cannot be reached. */
  int serve() {
    while (true) {
      Invocation invocation;
      try {
        invocation = api.next();
      } catch (IOException e) {
        log("error", "The Runtime API is gone (" + e.getMessage() + "); stopping.", null);
        api.close();
        return 1;
      }
      handle(invocation);
    }
  }

  private void handle(Invocation invocation) {
    if (invocation.traceId() == null) {
      System.clearProperty(TRACE_PROPERTY);
    } else {
      System.setProperty(TRACE_PROPERTY, invocation.traceId()); // as the managed runtime does
    }
    HttpEvent event;
    try {
      event = HttpEvent.parse(invocation.event());
    } catch (IOException | RuntimeException e) {
      fail(
          invocation,
          RuntimeError.of(
              "Runtime.InvalidEvent",
              "novaproxy answers HTTP events (payload 2.0 from a function URL or an HTTP API);"
                  + " this event is not one: "
                  + e.getMessage()));
      return;
    }
    Duration left = invocation.remaining(epochMillis.getAsLong(), DEADLINE_MARGIN);
    try {
      if (event.viaFunctionUrl()) {
        stream(invocation, event, left);
      } else {
        buffered(invocation, event, left);
      }
    } catch (IOException e) {
      log("error", "Could not send the response: " + e.getMessage(), invocation.requestId());
    }
  }

  /** The HTTP API door: bounded by the settings' timeout (the API's own limit is 30 s). */
  private void buffered(Invocation invocation, HttpEvent event, Duration left) throws IOException {
    Duration bound = handler.bufferedBound();
    BufferedAnswer answer;
    try {
      answer = handler.answer(event.event(), left.compareTo(bound) < 0 ? left : bound);
    } catch (RuntimeException e) {
      fail(invocation, RuntimeError.of("Runtime.HandlerError", e));
      return;
    }
    api.respond(invocation.requestId(), answer.json());
  }

  /** The function URL door: bounded by the invocation's own deadline. */
  private void stream(Invocation invocation, HttpEvent event, Duration left) throws IOException {
    ProxyResponse response;
    try {
      response =
          handler.handle(LambdaHandler.toRequest(event.event()), left, LambdaHandler.DOOR_STREAM);
    } catch (RuntimeException e) {
      fail(invocation, RuntimeError.of("Runtime.HandlerError", e));
      return;
    }
    StreamedResponse out;
    try {
      out = api.stream(invocation.requestId(), FunctionUrlAnswer.CONTENT_TYPE);
    } catch (IOException e) {
      abandon(response);
      throw e;
    }
    try (out) {
      RuntimeHttp.Reply reply;
      try {
        reply = urlAnswers.write(response, out);
      } catch (RuntimeException e) {
        // A bug after the prelude: the status is out, so the trailers are all that can say so.
        log("error", "The stream failed: " + e, invocation.requestId());
        report(() -> out.fail(RuntimeError.of("Runtime.HandlerError", e)));
        return;
      }
      if (reply.status() != 202) {
        log(
            "error",
            "The Runtime API answered the streamed response with " + reply.status(),
            invocation.requestId());
      }
    }
  }

  /** Stops reading an answer nobody will receive, so its connection to Nova is released. */
  private static void abandon(ProxyResponse response) {
    if (!response.streaming()) {
      return;
    }
    try {
      response.stream()
          .writeTo(
              event -> {
                throw new IOException("the Runtime API cannot be reached");
              });
    } catch (IOException expected) {
      // the relay has cancelled Nova's stream
    }
  }

  private void fail(Invocation invocation, RuntimeError error) {
    log("error", error.message(), invocation.requestId());
    report(() -> api.invocationError(invocation.requestId(), error));
  }

  private interface RuntimeCall {
    void run() throws IOException;
  }

  /** Tells the Runtime API of a failure; when that fails too, the log is all there is. */
  private static void report(RuntimeCall call) {
    try {
      call.run();
    } catch (IOException | RuntimeException e) {
      log("error", "Could not report the error to the Runtime API: " + e.getMessage(), null);
    }
  }

  /** One JSON line on stdout, which Lambda sends to CloudWatch Logs, like the access log's. */
  static void log(String level, String message, String lambdaRequestId) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("time", Instant.now().toString());
    line.put("level", level);
    line.put("message", message);
    if (lambdaRequestId != null) {
      line.put("lambda_request_id", lambdaRequestId);
    }
    System.out.println(line);
  }
}
