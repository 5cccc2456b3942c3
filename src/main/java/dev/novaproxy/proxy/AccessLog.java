package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One structured JSON line per request: id, route, model, status, latencies, token usage. Never the
 * key (it is not in the record) and message content only when the operator asked for it.
 */
public final class AccessLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Consumer<String> sink; // null: a log that discards
  private final boolean logContent;

  public AccessLog(Consumer<String> sink, boolean logContent) {
    this.sink = sink;
    this.logContent = logContent;
  }

  /** A log that writes nothing (serve --quiet, benchmarks), and so builds nothing either. */
  public static AccessLog discarding() {
    return new AccessLog(null, false);
  }

  boolean logContent() {
    return logContent;
  }

  void write(RequestRecord r) {
    if (sink == null) {
      return;
    }
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("level", r.status >= 500 ? "error" : r.status >= 400 ? "warn" : "info");
    line.put("request_id", r.requestId);
    line.put("method", r.method);
    line.put("path", r.path);
    if (r.route != null) {
      line.put("route", r.route);
    }
    if (r.client != null) {
      line.put("client", r.client);
    }
    if (r.model != null) {
      line.put("model", r.model);
    }
    if (r.modelAlias != null) {
      line.put("modelAlias", r.modelAlias);
    }
    if (r.stream) {
      line.put("stream", true);
    }
    line.put("status", r.status);
    if (r.errorCode != null) {
      line.put("error", r.errorCode);
    }
    line.put("latency_ms", millis(System.nanoTime() - r.startNanos));
    if (r.upstreamNanos >= 0) {
      line.put("upstream_ms", millis(r.upstreamNanos));
    }
    if (r.upstreamAttempts > 1) {
      line.put("upstream_attempts", r.upstreamAttempts);
    }
    if (r.usage != null) {
      line.set("usage", r.usage);
    }
    if (logContent) {
      if (r.contentIn != null) {
        line.set("messages", r.contentIn);
      }
      if (r.contentOut != null) {
        line.put("answer", r.contentOut.toString());
      }
    }
    sink.accept(line.toString());
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
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
