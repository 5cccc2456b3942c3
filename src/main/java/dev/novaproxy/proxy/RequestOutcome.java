package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What one finished request did, as the access log and the metrics read it: no message content and
 * no key (the record never holds one).
 *
 * @param time when the request ended (the access line's {@code time}, the EMF timestamp)
 * @param route {@code chat}, {@code models}, {@code health} or {@code metrics}; null for an unknown
 *     path
 * @param door which entry the request came through as the server named it ({@code api}, {@code
 *     stream} on Lambda); null when the server does not say ({@code serve})
 * @param model the Nova model that answered (an alias resolved)
 * @param modelAlias the alias the client asked for, or null when it named a model
 * @param upstreamMs how long Nova took, or null when Nova was not called
 * @param firstTokenMs from the request's arrival to the first event relayed to the client, for
 *     streams that sent one; null otherwise
 * @param usage Nova's {@code usage} object, or null when it did not report one
 * @param upstreamThrottled Nova answered 429
 * @param overLimit novaproxy's own limits (per key, per address, daily budget) refused the request
 */
public record RequestOutcome(
    Instant time,
    String requestId,
    String method,
    String path,
    String route,
    String client,
    String door,
    String model,
    String modelAlias,
    boolean stream,
    int status,
    String errorCode,
    double latencyMs,
    Double upstreamMs,
    int upstreamAttempts,
    Double firstTokenMs,
    JsonNode usage,
    boolean upstreamThrottled,
    boolean overLimit) {

  /** Nova's {@code usage.prompt_tokens}, or null when it did not report it. */
  public Long promptTokens() {
    return tokens("prompt_tokens");
  }

  /** Nova's {@code usage.completion_tokens}, or null when it did not report it. */
  public Long completionTokens() {
    return tokens("completion_tokens");
  }

  private Long tokens(String field) {
    JsonNode n = usage == null ? null : usage.get(field);
    return n != null && n.isIntegralNumber() ? Math.max(0, n.longValue()) : null;
  }

  static RequestOutcome of(RequestRecord r, Instant time, long endNanos) {
    return new RequestOutcome(
        time,
        r.requestId,
        r.method,
        r.path,
        r.route,
        r.client,
        r.door,
        r.model,
        r.modelAlias,
        r.stream,
        r.status,
        r.errorCode,
        millis(endNanos - r.startNanos),
        r.upstreamNanos >= 0 ? millis(r.upstreamNanos) : null,
        r.upstreamAttempts,
        r.firstEventNanos >= 0 ? millis(r.firstEventNanos - r.startNanos) : null,
        r.usage,
        r.upstreamStatus == 429,
        r.overLimit);
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
