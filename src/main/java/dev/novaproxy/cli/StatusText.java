package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.DeploymentStatus;
import dev.novaproxy.aws.LiveAlias;
import dev.novaproxy.aws.LogGroup;
import dev.novaproxy.aws.RecentMetrics;
import dev.novaproxy.aws.Rollouts;
import dev.novaproxy.aws.SmokeTest;
import java.io.PrintWriter;
import java.util.Optional;

/** How status prints: a table on a terminal, fields of one JSON document for scripts. */
final class StatusText {
  /** Adds the report to {@code json}; also prints it as text when {@code text} is not null. */
  static void report(DeploymentStatus.Report r, ObjectNode json, PrintWriter text) {
    json.put("name", r.name())
        .put("region", r.region())
        .put("deployed", r.deployed())
        .put("url", r.url())
        .put("streamUrl", r.streamUrl())
        .put("domainUrl", r.domainUrl());
    ArrayNode resources = json.putArray("resources");
    for (var res : r.resources()) {
      resources
          .addObject()
          .put("kind", res.kind())
          .put("name", res.name())
          .put("present", res.present())
          .put("state", res.state())
          .put("version", res.version())
          .put("lastChange", res.lastChange() == null ? null : res.lastChange().toString());
    }
    monitoring(r, json);
    if (text == null) {
      return;
    }
    text.println("Deployment " + r.name() + " in " + r.region() + ":");
    for (var res : r.resources()) {
      text.println(
          String.format(
              "  %-10s %-8s %-40s %s%s%s",
              res.kind(),
              res.present() ? "present" : "missing",
              res.name(),
              res.state() == null ? "" : res.state(),
              res.version() == null
                  ? ""
                  : "  " + (res.kind().equals("alias") ? "version " : "") + res.version(),
              res.lastChange() == null ? "" : "  changed " + res.lastChange()));
    }
    text.println(r.url() == null ? "URL: none (no API)" : "URL: " + r.url());
    if (r.streamUrl() != null) {
      text.println("Stream URL: " + r.streamUrl());
    }
    if (r.domainUrl() != null) {
      text.println(
          "Custom domain URL: "
              + r.domainUrl()
              + (r.streamUrl() == null
                  ? ""
                  : " (the HTTP API; the stream URL keeps its own host)"));
    }
    text.flush();
  }

  /** For scripts: the log retention and each alarm's state, beside the resources list. */
  private static void monitoring(DeploymentStatus.Report r, ObjectNode json) {
    var group = r.monitoring().logGroup();
    json.put("logGroup", group.map(LogGroup.Current::name).orElse(null));
    if (group.isPresent() && group.get().retentionDays() != null) {
      json.put("logRetentionDays", group.get().retentionDays());
    } else {
      json.putNull("logRetentionDays");
    }
    ArrayNode alarms = json.putArray("alarms");
    for (var a : r.monitoring().alarms().values()) {
      var m = a.alarm();
      alarms
          .addObject()
          .put("name", m.alarmName())
          .put("state", m.stateValueAsString())
          .put("reason", m.stateReason())
          .put(
              "since",
              m.stateUpdatedTimestamp() == null ? null : m.stateUpdatedTimestamp().toString());
    }
  }

  /** The last hour of metrics, or a note saying why there are none. */
  static void metrics(RecentMetrics.LastHour h, ObjectNode json, PrintWriter text) {
    ObjectNode o =
        json.putObject("metrics")
            .put("from", h.from().toString())
            .put("to", h.to().toString())
            .put("available", h.available());
    if (h.available()) {
      o.put("requests", h.requests())
          .put("errors5xx", orZero(h.errors5xx()))
          .put("errors4xx", orZero(h.errors4xx()))
          .put("errorRatePercent", Math.round(h.errorRatePercent() * 100) / 100.0)
          .put("latencyP50Ms", h.latencyP50Ms())
          .put("latencyP95Ms", h.latencyP95Ms())
          .put("promptTokens", orZero(h.promptTokens()))
          .put("completionTokens", orZero(h.completionTokens()));
    } else {
      o.put("note", note(h));
    }
    if (text == null) {
      return;
    }
    if (!h.available()) {
      text.println("Last hour: " + note(h));
    } else {
      text.println("Last hour (CloudWatch metrics, up to " + h.to() + "):");
      text.println(
          String.format(
              "  requests %d, 5xx %d (%.1f%%), 4xx %d",
              h.requests(), orZero(h.errors5xx()), h.errorRatePercent(), orZero(h.errors4xx())));
      text.println(
          "  latency p50 " + millis(h.latencyP50Ms()) + ", p95 " + millis(h.latencyP95Ms()));
      text.println(
          "  tokens "
              + orZero(h.promptTokens())
              + " prompt + "
              + orZero(h.completionTokens())
              + " completion");
    }
    text.flush();
  }

  private static String note(RecentMetrics.LastHour h) {
    if (h.problem() != null) {
      return "metrics could not be read (" + h.problem() + ")";
    }
    return "no metrics yet: none in the last hour. The function writes them with each request;"
        + " CloudWatch shows them a few minutes after the first.";
  }

  private static long orZero(Long n) {
    return n == null ? 0 : n;
  }

  private static String millis(Double ms) {
    return ms == null ? "n/a" : Math.round(ms) + " ms";
  }

  /**
   * The newest versions: which is live, a canary in progress, when each was published and what it
   * changed. Adds {@code "versions"} to {@code json} (null when there is no alias).
   */
  static void versions(Optional<Rollouts.Versions> versions, ObjectNode json, PrintWriter text) {
    if (versions.isEmpty()) {
      json.putNull("versions");
      return;
    }
    Rollouts.Versions v = versions.get();
    LiveAlias.State alias = v.alias();
    ObjectNode o = json.putObject("versions").put("live", alias.version());
    Json.canary(o, alias);
    alias.history().forEach(o.putArray("previouslyLive")::add);
    if (alias.history().isEmpty()) {
      o.putArray("previouslyLive");
    }
    o.put("total", v.total());
    ArrayNode recent = o.putArray("recent");
    for (var version : v.recent()) {
      recent
          .addObject()
          .put("version", version.version())
          .put("published", version.published() == null ? null : version.published().toString())
          .put("role", role(alias, version.version()))
          .put("changes", version.note());
    }
    if (text == null) {
      return;
    }
    text.println(
        "Versions ("
            + v.recent().size()
            + " newest of "
            + v.total()
            + "; 'novaproxy rollback [--to VERSION]' moves live):");
    for (var version : v.recent()) {
      String role = role(alias, version.version());
      text.println(
          String.format(
              "  %-5s %-12s %-20s %s",
              version.version(),
              role.equals("canary") ? "canary " + alias.canaryPercent() + "%" : role,
              version.published() == null ? "" : version.published().toString(),
              version.note()));
    }
    if (alias.canary()) {
      text.println(
          "Canary in progress: version "
              + alias.canaryVersion()
              + " gets "
              + alias.canaryPercent()
              + "% of the requests; 'novaproxy promote' makes it live, 'novaproxy rollback'"
              + " drops it.");
    }
    text.flush();
  }

  /** live, canary, previous (what rollback goes back to) or an empty string. */
  private static String role(LiveAlias.State alias, String version) {
    if (version.equals(alias.version())) {
      return "live";
    }
    if (version.equals(alias.canaryVersion())) {
      return "canary";
    }
    return !alias.history().isEmpty() && alias.history().get(0).equals(version) ? "previous" : "";
  }

  static void smoke(SmokeTest.Result result, ObjectNode json, PrintWriter text) {
    ObjectNode smoke =
        json.putObject("smoke").put("baseUrl", result.baseUrl()).put("healthy", result.healthy());
    ArrayNode checks = smoke.putArray("checks");
    for (var c : result.checks()) {
      checks
          .addObject()
          .put("name", c.name())
          .put("url", c.url())
          .put("status", c.status())
          .put("ok", c.ok())
          .put("millis", c.millis())
          .put("detail", c.detail());
    }
    if (text == null) {
      return;
    }
    text.println("Smoke test of " + result.baseUrl() + ":");
    for (var c : result.checks()) {
      text.println(
          String.format(
              "  %-6s %-4s %s (%d ms)",
              c.name(),
              c.ok() ? "ok" : "FAIL",
              c.ok() ? c.url() : c.url() + ": " + c.detail(),
              c.millis()));
    }
    text.flush();
  }

  private StatusText() {}
}
