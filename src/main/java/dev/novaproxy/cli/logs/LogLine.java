package dev.novaproxy.cli.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One line of the function's log as {@code logs} reads it: the proxy's JSON (an access line, with
 * {@code request_id}, or a message such as a warning), or Lambda's own text (START, END, REPORT).
 */
record LogLine(String text, JsonNode json) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static LogLine of(String text) {
    JsonNode json = null;
    if (text.startsWith("{")) {
      try {
        json = JSON.readTree(text);
      } catch (IOException e) {
        // not the proxy's: shown as text
      }
    }
    return new LogLine(text, json != null && json.isObject() ? json : null);
  }

  /** A line the proxy wrote about one request. */
  boolean access() {
    return json != null && json.hasNonNull("request_id");
  }

  String requestId() {
    return access() ? json.path("request_id").asText() : null;
  }

  /** An error answer (status 400 or more), or a warning or error the proxy or runtime logged. */
  boolean problem() {
    if (json == null) {
      return false;
    }
    String level = json.path("level").asText("");
    return json.path("status").asInt(0) >= 400 || level.equals("warn") || level.equals("error");
  }

  /** Lambda's own lines about each invocation, which say nothing the access line does not. */
  boolean platform() {
    return json == null
        && (text.startsWith("START ")
            || text.startsWith("END ")
            || text.startsWith("REPORT ")
            || text.startsWith("INIT_START ")
            || text.startsWith("INIT_REPORT ")
            || text.startsWith("RESTORE_START ")
            || text.startsWith("RESTORE_REPORT "));
  }
}
