package dev.novaproxy.cli.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.novaproxy.cli.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Help.Ansi;

/** How doctor prints: one line per check and a summary, or a JSON array for scripts. */
public final class FindingsOutput {
  private FindingsOutput() {}

  /** {@code mark name message. Fix: fix}, the mark coloured when {@code ansi} allows. */
  public static void text(PrintWriter out, Ansi ansi, List<Finding> findings) {
    for (Finding f : findings) {
      String mark =
          switch (f.status()) {
            case OK -> "@|green ok  |@";
            case WARN -> "@|yellow warn|@";
            case FAIL -> "@|red,bold FAIL|@";
            case SKIP -> "@|faint skip|@";
          };
      out.println(
          ansi.string(mark)
              + "  "
              + String.format("%-12s ", f.name())
              + f.message()
              + (f.fix() == null
                  ? ""
                  : (f.message().endsWith(".") ? "" : ".") + " Fix: " + f.fix()));
    }
    long failed = count(findings, Finding.Status.FAIL);
    long warned = count(findings, Finding.Status.WARN);
    out.println(
        failed == 0 && warned == 0
            ? "No problems found."
            : failed + " failed, " + warned + " " + (warned == 1 ? "warning" : "warnings") + ".");
    out.flush();
  }

  /** An array of {@code {name, status, message, fix}}; status in lower case. */
  public static void json(PrintWriter out, List<Finding> findings) {
    ArrayNode json = Json.MAPPER.createArrayNode();
    for (Finding f : findings) {
      json.addObject()
          .put("name", f.name())
          .put("status", f.status().name().toLowerCase(Locale.ROOT))
          .put("message", f.message())
          .put("fix", f.fix());
    }
    try {
      out.println(Json.MAPPER.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  private static long count(List<Finding> findings, Finding.Status status) {
    return findings.stream().filter(f -> f.status() == status).count();
  }
}
