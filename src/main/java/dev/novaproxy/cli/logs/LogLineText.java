package dev.novaproxy.cli.logs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.StringJoiner;

/**
 * A log line for people: for an access line, its time, request id, status, route, model, latency
 * (and Nova's), tokens and error code on one line; for a message, its time, level and text.
 */
final class LogLineText {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private LogLineText() {}

  static String of(LogLine line, Instant eventTime) {
    JsonNode j = line.json();
    if (j == null) {
      return TIME.format(eventTime) + "  " + line.text();
    }
    String time = TIME.format(time(j, eventTime));
    if (!line.access()) {
      return time + "  " + j.path("level").asText("info") + "  " + j.path("message").asText("");
    }
    StringJoiner out = new StringJoiner("  ");
    out.add(time);
    out.add(j.path("request_id").asText());
    out.add(j.path("status").asText("-"));
    out.add(j.path("method").asText("") + " " + j.path("path").asText(""));
    out.add(j.path("model").asText("-"));
    StringBuilder latency = new StringBuilder(ms(j.path("latency_ms")));
    if (j.has("upstream_ms")) {
      latency.append(" (Nova ").append(ms(j.path("upstream_ms"))).append(')');
    }
    if (j.has("first_token_ms")) {
      latency.append(" first ").append(ms(j.path("first_token_ms")));
    }
    out.add(latency);
    JsonNode usage = j.path("usage");
    if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
      out.add(
          "tokens "
              + usage.path("prompt_tokens").asText("?")
              + "+"
              + usage.path("completion_tokens").asText("?"));
    }
    if (j.path("stream").asBoolean(false)) {
      out.add("stream");
    }
    if (j.has("error")) {
      out.add("error " + j.path("error").asText());
    }
    return out.toString();
  }

  private static Instant time(JsonNode j, Instant fallback) {
    try {
      return Instant.parse(j.path("time").asText());
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  private static String ms(JsonNode n) {
    return Math.round(n.asDouble()) + " ms";
  }
}
