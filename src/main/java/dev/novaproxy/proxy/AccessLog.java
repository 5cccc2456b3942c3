package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One structured JSON line per request: id, route, model, status, latencies, token usage. Never the
 * key (it is not in the record) and message content only when the operator asked for it.
 *
 * <p>A server may add metrics to the line ({@link #withLineMetrics}, Lambda's EMF) and may observe
 * each request's figures whether or not lines are written ({@link #observedBy}, serve's {@code GET
 * /metrics}).
 */
public final class AccessLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Consumer<String> sink; // null: a log that discards
  private final boolean logContent;
  private final LineMetrics lineMetrics; // null: none
  private final Consumer<RequestOutcome> observer; // null: none

  public AccessLog(Consumer<String> sink, boolean logContent) {
    this(sink, logContent, null, null);
  }

  private AccessLog(
      Consumer<String> sink,
      boolean logContent,
      LineMetrics lineMetrics,
      Consumer<RequestOutcome> observer) {
    this.sink = sink;
    this.logContent = logContent;
    this.lineMetrics = lineMetrics;
    this.observer = observer;
  }

  /** A log that writes nothing (serve --quiet, benchmarks), and so builds nothing either. */
  public static AccessLog discarding() {
    return new AccessLog(null, false);
  }

  /** This log, with {@code metrics} adding members to every request's line (null: none). */
  public AccessLog withLineMetrics(LineMetrics metrics) {
    return new AccessLog(sink, logContent, metrics, observer);
  }

  /** This log, also handing every finished request's figures to {@code observer}. */
  public AccessLog observedBy(Consumer<RequestOutcome> observer) {
    return new AccessLog(sink, logContent, lineMetrics, observer);
  }

  boolean logContent() {
    return logContent;
  }

  void write(RequestRecord r) {
    if (sink == null && observer == null) {
      return;
    }
    RequestOutcome o = RequestOutcome.of(r, Instant.now(), System.nanoTime());
    if (observer != null) {
      observer.accept(o);
    }
    if (sink == null) {
      return;
    }
    ObjectNode line = line(o);
    if (logContent) {
      if (r.contentIn != null) {
        line.set("messages", r.contentIn);
      }
      if (r.contentOut != null) {
        line.put("answer", r.contentOut.toString());
      }
    }
    if (lineMetrics != null) {
      lineMetrics.addTo(line, o);
    }
    sink.accept(line.toString());
  }

  private static ObjectNode line(RequestOutcome o) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", o.time().toString());
    line.put("level", o.status() >= 500 ? "error" : o.status() >= 400 ? "warn" : "info");
    line.put("request_id", o.requestId());
    line.put("method", o.method());
    line.put("path", o.path());
    if (o.route() != null) {
      line.put("route", o.route());
    }
    if (o.client() != null) {
      line.put("client", o.client());
    }
    if (o.model() != null) {
      line.put("model", o.model());
    }
    if (o.modelAlias() != null) {
      line.put("modelAlias", o.modelAlias());
    }
    if (o.stream()) {
      line.put("stream", true);
    }
    line.put("status", o.status());
    if (o.errorCode() != null) {
      line.put("error", o.errorCode());
    }
    line.put("latency_ms", o.latencyMs());
    if (o.upstreamMs() != null) {
      line.put("upstream_ms", o.upstreamMs());
    }
    if (o.firstTokenMs() != null) {
      line.put("first_token_ms", o.firstTokenMs());
    }
    if (o.upstreamAttempts() > 1) {
      line.put("upstream_attempts", o.upstreamAttempts());
    }
    if (o.usage() != null) {
      line.set("usage", o.usage());
    }
    return line;
  }

  /** Warnings that are not about one request (the secret could not be refreshed, say). */
  public void warn(String message) {
    if (sink == null) {
      return;
    }
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("level", "warn");
    line.put("message", message);
    sink.accept(line.toString());
  }
}
