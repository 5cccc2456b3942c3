package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.DeploymentStatus;
import dev.novaproxy.aws.SmokeTest;
import java.io.PrintWriter;

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
