package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;

/**
 * Talks to Nova: adds the key, sends, and turns every way an upstream can fail into a {@link
 * ProxyException} the client can act on. Nova's own answers (and its 4xx errors) pass through
 * unchanged, except that the key is taken out of anything Nova sends back ({@link KeyScrubber}).
 */
final class NovaUpstream {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Exchanges waiting for Nova's headers, past which the next client takes new ones: a small load
   * stays on the first client and its warm connections (a second one cost about a fifth of the
   * small-request throughput), while thousands of streams starting at once spread over them all.
   */
  static final int SPILL_AFTER = 256;

  private final List<HttpClient> clients;
  private final AtomicInteger waiting = new AtomicInteger();
  private final ProxySettings settings;
  private final CachedSecret secret;
  private final URI chatUri;
  private final URI modelsUri;

  /** With these HTTP clients, the next one taken when the ones before are busy. */
  NovaUpstream(List<HttpClient> clients, ProxySettings settings, CachedSecret secret) {
    this.clients = List.copyOf(clients);
    this.settings = settings;
    this.secret = secret;
    String base = settings.upstreamUrl().toString().replaceAll("/+$", "");
    this.chatUri = URI.create(base + "/chat/completions");
    this.modelsUri = URI.create(base + "/models");
  }

  /**
   * One HTTP client per process: its connection pool is what keeps the added latency low.
   *
   * <p>Its work runs on its own I/O thread ({@code Runnable::run}), never handed to a pool: each
   * hand-off wakes a thread, and on two cores that cost more than the work itself (1 connection:
   * 0.16 ms a call with a small pool, 0.12 ms inline). This is safe because nothing the client
   * calls back blocks: the body subscribers only copy bytes ({@link UpstreamBody}).
   */
  static HttpClient newHttpClient(ProxySettings settings) {
    return newHttpClient(settings, null);
  }

  /** As {@link #newHttpClient(ProxySettings)}, trusting what {@code tls} trusts (tests). */
  static HttpClient newHttpClient(ProxySettings settings, SSLContext tls) {
    boolean https = "https".equalsIgnoreCase(settings.upstreamUrl().getScheme());
    HttpClient.Builder builder = HttpClient.newBuilder();
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder
        .executor(Runnable::run)
        .connectTimeout(settings.connectTimeout())
        .version(https ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Forwards a validated chat request; a stream when the client asked and Nova streams.
   *
   * @param limit bounds the whole exchange, a stream included, instead of the settings' total
   *     timeout (which then bounds only the silence between events); null for the settings' rule
   */
  ProxyResponse chat(ValidatedRequest request, RequestRecord record, Duration limit) {
    Deadline deadline = deadline(limit);
    Upstream answer = send(chatRequest(request), request.stream(), record, deadline);
    return chatAnswer(answer, record, deadline, limit);
  }

  /**
   * As {@link #chat} with no thread waiting for Nova: the request is sent at once, and Nova's
   * answer is handled on {@code after} once its headers are in (where the retries, and the wait for
   * a whole answer's body, may block). Past that a stream needs no thread ({@link
   * ProxyResponse.EventStream#relay}).
   */
  CompletableFuture<ProxyResponse> chatAsync(
      ValidatedRequest request, RequestRecord record, Duration limit, Executor after) {
    Deadline deadline = deadline(limit);
    return new Attempts(chatRequest(request), request.stream(), record, deadline)
        .sendAsync(after)
        .thenCompose(
            answer ->
                answer.body().events() != null
                    ? CompletableFuture.completedFuture(chatAnswer(answer, record, deadline, limit))
                    : wholeAsync(answer, deadline, record, after));
  }

  /**
   * As {@link #whole} with no thread waiting for the body: it is checked once it has all come, or
   * the deadline has passed (the exchange is then cancelled); on this thread when it came with the
   * headers (a short answer), else on {@code after}, not on the HTTP client's I/O thread.
   */
  private CompletableFuture<ProxyResponse> wholeAsync(
      Upstream answer, Deadline deadline, RequestRecord record, Executor after) {
    CompletableFuture<byte[]> whole = answer.body().whole(deadline.remaining());
    BiFunction<byte[], Throwable, ProxyResponse> check =
        (bytes, failure) -> {
          if (failure != null) {
            throw bodyFailure(Answers.cause(failure), deadline);
          }
          return received(answer, bytes, record);
        };
    return whole.isDone() ? whole.handle(check) : whole.handleAsync(check, after);
  }

  private HttpRequest.Builder chatRequest(ValidatedRequest request) {
    return HttpRequest.newBuilder(chatUri)
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.bodyBytes()))
        .header("Content-Type", "application/json")
        .header("Accept", request.stream() ? "text/event-stream" : "application/json");
  }

  private ProxyResponse chatAnswer(
      Upstream answer, RequestRecord record, Deadline deadline, Duration limit) {
    EventQueue events = answer.body().events();
    if (events != null) {
      Deadline whole = limit != null || settings.streamWithinTimeout() ? deadline : null;
      return ProxyResponse.eventStream(
          new StreamRelay(
              events,
              settings.totalTimeout(),
              whole,
              record,
              answer.scrubber(),
              answer.startNanos()));
    }
    return whole(answer, deadline, record);
  }

  /**
   * A whole answer, read within the same deadline as the wait for its headers. (The request timeout
   * alone does not bound the body: a Nova that stalls mid-body would hold the request.)
   */
  private ProxyResponse whole(Upstream answer, Deadline deadline, RequestRecord record) {
    return received(answer, readAll(answer.body(), deadline), record);
  }

  /** A whole answer's body, all of it come: its time counted, the keys taken out, and checked. */
  private ProxyResponse received(Upstream answer, byte[] bytes, RequestRecord record) {
    UpstreamBody body = answer.body();
    record.upstreamNanos = System.nanoTime() - answer.startNanos();
    return passThrough(
        body.status(), body.header("content-type"), answer.scrubber().scrub(bytes), record);
  }

  private Deadline deadline(Duration limit) {
    return new Deadline(limit == null ? settings.totalTimeout() : limit);
  }

  /**
   * Nova's model list, filtered by the models the policy allows, with an entry per model alias
   * whose model is allowed (a copy of that model's entry under the alias's name, with {@code
   * alias_of}). An alias that shadows a model of Nova's replaces its entry, since asking for it
   * gets the alias.
   */
  ProxyResponse models(RequestRecord record, Duration limit) {
    Deadline deadline = deadline(limit);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(modelsUri).GET().header("Accept", "application/json");
    ProxyResponse passed = whole(send(builder, false, record, deadline), deadline, record);
    byte[] bytes = passed.body();
    Policy policy = settings.policy();
    if (passed.status() != 200
        || (policy.allowedModels().isEmpty() && policy.modelAliases().isEmpty())) {
      return passed;
    }
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root instanceof ObjectNode object && root.path("data").isArray()) {
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode m : root.path("data")) {
          String id = m.path("id").asText();
          if (policy.allowsModel(id) && !policy.modelAliases().containsKey(id)) {
            kept.add(m);
          }
        }
        policy
            .modelAliases()
            .forEach(
                (alias, model) -> {
                  if (policy.allowsModel(model)) {
                    kept.add(aliasEntry(root.path("data"), alias, model));
                  }
                });
        object.set("data", kept);
        return ProxyResponse.json(200, JSON.writeValueAsBytes(object));
      }
    } catch (IOException e) {
      // passThrough already proved it is JSON; fall through to the unfiltered answer
    }
    return passed;
  }

  private static ObjectNode aliasEntry(JsonNode novaModels, String alias, String model) {
    ObjectNode entry = JSON.createObjectNode().put("object", "model").put("owned_by", "novaproxy");
    for (JsonNode m : novaModels) {
      if (m instanceof ObjectNode o && model.equals(m.path("id").asText())) {
        entry = o.deepCopy();
      }
    }
    return entry.put("id", alias).put("alias_of", model);
  }

  /**
   * Nova's response with its body not yet read, when the first attempt was sent, and what takes the
   * keys that exchange sent out of the body.
   */
  private record Upstream(UpstreamBody body, long startNanos, KeyScrubber scrubber) {}

  /**
   * Sends with the key, handling the answers the proxy can fix itself: a 401 (the key was rotated:
   * fetch it again, once), a 429 with a short Retry-After (wait, once), and an HTTP/2 connection
   * that Nova closed with a GOAWAY before answering (send again, once, on a new connection).
   */
  private Upstream send(
      HttpRequest.Builder builder, boolean clientStreams, RequestRecord record, Deadline deadline) {
    Attempts attempts = new Attempts(builder, clientStreams, record, deadline);
    while (true) {
      HttpRequest request = attempts.next();
      Upstream answer =
          attempts.decide(exchange(request, clientStreams, attempts.mayResend(), deadline));
      if (answer != null) {
        return answer;
      }
      Duration wait = attempts.takePause();
      if (wait != null) {
        sleep(wait);
      }
    }
  }

  /** One request's attempts at Nova, and what was learnt from each (see {@link #send}). */
  private final class Attempts {
    private final HttpRequest.Builder builder;
    private final boolean clientStreams;
    private final RequestRecord record;
    private final Deadline deadline;
    private final List<String> sent = new ArrayList<>();
    private final long start = System.nanoTime();
    private String key;
    private boolean refreshed;
    private boolean waited;
    private boolean resent;

    /** How long to wait before the next attempt (a short Retry-After), or null for at once. */
    private Duration pause;

    Attempts(
        HttpRequest.Builder builder,
        boolean clientStreams,
        RequestRecord record,
        Deadline deadline) {
      this.builder =
          builder.header("Accept-Encoding", "identity").header("x-request-id", record.requestId);
      this.clientStreams = clientStreams;
      this.record = record;
      this.deadline = deadline;
      this.key = secret.get();
      sent.add(key);
    }

    /** The wait the last answer asked for before the next attempt, once; null for none. */
    Duration takePause() {
      Duration p = pause;
      pause = null;
      return p;
    }

    /** The next attempt's request, with the key as it now stands. */
    HttpRequest next() {
      record.upstreamAttempts++;
      return builder
          .copy()
          .header("Authorization", "Bearer " + key)
          .timeout(deadline.remaining())
          .build();
    }

    boolean mayResend() {
      return !resent;
    }

    /** Sends until Nova's answer is one to use, with no thread waiting for it. */
    CompletableFuture<Upstream> sendAsync(Executor after) {
      HttpRequest request = next();
      return exchangeAsync(request, clientStreams, mayResend(), deadline)
          .thenComposeAsync(
              response -> {
                Upstream answer = decide(response);
                if (answer != null) {
                  return CompletableFuture.completedFuture(answer);
                }
                Duration wait = takePause();
                if (wait == null) {
                  return sendAsync(after);
                }
                // A short Retry-After holds no thread: the next attempt is scheduled.
                Executor later =
                    CompletableFuture.delayedExecutor(
                        wait.toMillis(), TimeUnit.MILLISECONDS, after);
                return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(nothing -> sendAsync(after));
              },
              after);
    }

    /**
     * What to do with Nova's answer to the last attempt: use it, or send again (null), having
     * fetched the key again or waited out a short Retry-After; a refusal the proxy cannot fix is
     * thrown. A null {@code response} is an HTTP/2 connection gone away before any answer.
     */
    Upstream decide(UpstreamBody response) {
      if (response == null) {
        resent = true;
        return null;
      }
      int status = response.status();
      record.upstreamStatus = status;
      // Nova answered: its time counts (upstream_ms, UpstreamLatency) even when it refused.
      record.upstreamNanos = System.nanoTime() - start;
      if (status == 401 && !refreshed) {
        discard(response);
        refreshed = true;
        String fresh = secret.refreshAfterRejection(key);
        if (fresh != null) {
          key = fresh;
          sent.add(key);
          return null;
        }
        throw keyRejected();
      }
      if (status == 401) {
        discard(response);
        throw keyRejected();
      }
      if (status == 429) {
        Optional<Duration> retryAfter = retryAfter(response);
        boolean shortWait =
            retryAfter.isPresent()
                && retryAfter.get().compareTo(settings.maxRetryAfter()) <= 0
                && retryAfter.get().plusSeconds(1).compareTo(deadline.remaining()) < 0;
        discard(response);
        if (!waited && shortWait) {
          waited = true;
          pause = retryAfter.get();
          return null;
        }
        long seconds = Math.max(1, retryAfter.map(d -> (d.toMillis() + 999) / 1000).orElse(1L));
        throw ProxyException.rateLimited(
            "Nova is rate limiting requests; retry after " + seconds + " s.", seconds);
      }
      String encoding = response.header("content-encoding");
      if (!encoding.isEmpty() && !encoding.equalsIgnoreCase("identity")) {
        discard(response);
        throw ProxyException.badGateway(
            "Nova answered with a body in '"
                + encoding
                + "' encoding, which the proxy did not ask for.");
      }
      return new Upstream(response, start, KeyScrubber.of(sent));
    }
  }

  /**
   * Sends on the calling thread (the blocking path: Lambda, and model lists). The JDK completes
   * sendAsync's stage on CompletableFuture's default executor, which on one or two cores is a new
   * thread per request unless the common pool's parallelism is raised (serve's entry point does),
   * so the blocking path does not use it. The request timeout bounds the wait for headers; bodies
   * are read against the same deadline by the caller.
   */
  private UpstreamBody exchange(
      HttpRequest request, boolean clientStreams, boolean mayResendAfterGoAway, Deadline deadline) {
    UpstreamBody.Handler bodies = UpstreamBody.handler(clientStreams);
    try {
      return sendOnLeastBusyFirst(request, bodies);
    } catch (InterruptedException e) {
      cancelMade(bodies);
      Thread.currentThread().interrupt();
      throw ProxyException.badGateway("The proxy was interrupted while waiting for Nova.");
    } catch (IOException e) {
      return afterFailure(e, bodies, mayResendAfterGoAway, deadline);
    }
  }

  /**
   * What an exchange that failed comes to, sent either way: the body when Nova answered before the
   * connection broke (the client's work runs inline, so a short answer can be read to its failure
   * first; the body holds what came and the failure, and is relayed like any answer that breaks
   * midway), null when an HTTP/2 connection went away first and the caller may send again, or the
   * error for the client.
   */
  private UpstreamBody afterFailure(
      IOException e, UpstreamBody.Handler bodies, boolean mayResendAfterGoAway, Deadline deadline) {
    if (e instanceof HttpTimeoutException) {
      cancelMade(bodies);
      throw e instanceof HttpConnectTimeoutException
          ? transportFailure(e, deadline)
          : timeout(deadline);
    }
    UpstreamBody answered = bodies.made();
    if (answered != null) {
      return answered;
    }
    if (mayResendAfterGoAway && goneAway(e)) {
      return null;
    }
    throw transportFailure(e, deadline);
  }

  /**
   * As {@link #exchange} with no thread waiting: the stage completes on the HTTP client's thread as
   * soon as Nova's headers are in (the body handler says so), or as {@link #afterFailure} says.
   *
   * <p>The JDK completes sendAsync's own stage on another thread (the common pool, or a new thread
   * when that has one thread), so a stream's start does not wait for that hand-off; only failures,
   * which come no other way, take it.
   */
  private CompletableFuture<UpstreamBody> exchangeAsync(
      HttpRequest request, boolean clientStreams, boolean mayResendAfterGoAway, Deadline deadline) {
    CompletableFuture<UpstreamBody> answered = new CompletableFuture<>();
    UpstreamBody.Handler bodies = UpstreamBody.handler(clientStreams, answered::complete);
    HttpClient http = leastBusy(waiting.getAndIncrement());
    answered.whenComplete((body, failure) -> waiting.decrementAndGet());
    http.sendAsync(request, bodies)
        .whenComplete(
            (response, failure) -> {
              if (failure == null) {
                answered.complete(response.body());
                return;
              }
              Throwable e = Answers.cause(failure);
              if (!(e instanceof IOException io)) {
                answered.completeExceptionally(transportFailure(e, deadline));
                return;
              }
              try {
                answered.complete(afterFailure(io, bodies, mayResendAfterGoAway, deadline));
              } catch (ProxyException refused) {
                answered.completeExceptionally(refused);
              }
            });
    return answered;
  }

  private UpstreamBody sendOnLeastBusyFirst(HttpRequest request, UpstreamBody.Handler bodies)
      throws IOException, InterruptedException {
    try {
      return leastBusy(waiting.getAndIncrement()).send(request, bodies).body();
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** The client to send on when {@code waitingBefore} exchanges already wait for Nova. */
  private HttpClient leastBusy(int waitingBefore) {
    return clients.get(Math.min(clients.size() - 1, waitingBefore / SPILL_AFTER));
  }

  /** A body that nobody will read stops reading from Nova. */
  private static void cancelMade(UpstreamBody.Handler bodies) {
    UpstreamBody made = bodies.made();
    if (made != null) {
      made.cancel();
    }
  }

  /**
   * Whether the exchange failed because Nova's HTTP/2 connection went away (a GOAWAY: servers send
   * one when they recycle a connection) before any answer came. JDK 17's client fails every request
   * in flight on that connection then, instead of sending the unprocessed ones again (JDK-8335181,
   * fixed in JDK 24), and says so only in the message. No answer had begun, and a chat completion
   * changes nothing on Nova's side, so one more attempt is safe for the client; it may cost a
   * duplicate generation when Nova had already accepted the request (JDK 17 cannot tell which).
   */
  private static boolean goneAway(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("GOAWAY received")) {
        return true;
      }
    }
    return false;
  }

  private ProxyException transportFailure(Throwable cause, Deadline deadline) {
    if (cause instanceof HttpConnectTimeoutException) {
      return ProxyException.gatewayTimeout(
          "Could not connect to Nova within " + settings.connectTimeout().toSeconds() + " s.");
    }
    if (cause instanceof HttpTimeoutException) {
      return timeout(deadline);
    }
    if (cause instanceof ConnectException) {
      return ProxyException.badGateway(
          "Could not connect to Nova at "
              + UpstreamUrl.redacted(settings.upstreamUrl().toString())
              + ".");
    }
    return ProxyException.badGateway(
        "The connection to Nova failed before it answered ("
            + cause.getClass().getSimpleName()
            + ").");
  }

  private static ProxyException timeout(Deadline deadline) {
    return ProxyException.gatewayTimeout(
        "Nova did not answer within " + deadline.total().toSeconds() + " s.");
  }

  private ProxyException keyRejected() {
    return new ProxyException(
        502,
        "upstream_error",
        "upstream_key_rejected",
        null,
        "Nova rejected the proxy's API key; " + secret.whenRejected() + ".");
  }

  private byte[] readAll(UpstreamBody body, Deadline deadline) {
    try {
      return body.await(deadline.remaining().toMillis());
    } catch (TimeoutException e) {
      throw bodyFailure(e, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProxyException.badGateway("The proxy was interrupted while reading Nova's answer.");
    } catch (ExecutionException e) {
      throw bodyFailure(e.getCause(), deadline);
    }
  }

  /** Why a whole answer's body could not be read: too slow, or the connection broke. */
  private static ProxyException bodyFailure(Throwable cause, Deadline deadline) {
    if (cause instanceof TimeoutException) {
      return timeout(deadline); // the body cancelled the exchange: it does not go on buffering
    }
    return ProxyException.badGateway(
        "The connection to Nova broke while reading its answer ("
            + cause.getClass().getSimpleName()
            + ").");
  }

  /**
   * Nova's answer as it is when it is JSON and not a server error; otherwise a 502 saying what came
   * back. A non-JSON body is never relayed: it may be a load balancer's page, not Nova.
   */
  private ProxyResponse passThrough(int status, String type, byte[] bytes, RequestRecord record) {
    if (status >= 500) {
      String detail = errorMessage(bytes);
      throw ProxyException.badGateway(
          "Nova answered " + status + (detail == null ? "." : ": " + detail));
    }
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !(json.isObject() || json.isArray())) {
      throw ProxyException.badGateway(
          "Nova answered "
              + status
              + " with a body that is not JSON"
              + (type.isEmpty() ? "." : " (" + type + ")."));
    }
    if (status == 200) {
      JsonNode usage = json.get("usage");
      if (usage != null && usage.isObject()) {
        record.usage = usage;
      }
      if (record.contentOut != null) {
        record.contentOut.append(
            json.path("choices").path(0).path("message").path("content").asText(""));
      }
    } else {
      record.errorCode = "upstream_" + status;
    }
    return ProxyResponse.json(status, bytes);
  }

  private static String errorMessage(byte[] bytes) {
    try {
      JsonNode m = JSON.readTree(bytes).path("error").path("message");
      if (m.isTextual()) {
        String s = m.asText();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: say only the status
    }
    return null;
  }

  private static Optional<Duration> retryAfter(UpstreamBody response) {
    return Optional.of(response.header("retry-after"))
        .filter(v -> !v.isEmpty())
        .flatMap(
            v -> {
              try {
                double seconds = Double.parseDouble(v.trim());
                return seconds >= 0
                    ? Optional.of(Duration.ofMillis((long) (seconds * 1000)))
                    : Optional.empty();
              } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP date: treat as long
              }
            });
  }

  /**
   * An answer the proxy will not use: cut off, so a body that stalls holds nothing (on HTTP/2 only
   * its stream is reset; on HTTP/1.1 the connection is closed, which these rare answers can spare).
   */
  private static void discard(UpstreamBody body) {
    body.cancel();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A point in time by which the whole exchange must be over. */
  static final class Deadline {
    private final Duration total;
    private final long endNanos;

    Deadline(Duration total) {
      this.total = total;
      this.endNanos = System.nanoTime() + total.toNanos();
    }

    /** The time the exchange was given in all, for messages. */
    Duration total() {
      return total;
    }

    Duration remaining() {
      return Duration.ofNanos(Math.max(1_000_000, endNanos - System.nanoTime()));
    }

    long remainingMillis() {
      return Math.max(0, (endNanos - System.nanoTime()) / 1_000_000);
    }
  }
}
