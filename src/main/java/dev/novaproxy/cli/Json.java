package dev.novaproxy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.LiveAlias;
import dev.novaproxy.aws.PlanStep;
import java.io.PrintWriter;
import java.util.List;

/** The {@code -o json} output: one pretty-printed JSON document on standard output. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static void print(PrintWriter out, ObjectNode node) {
    try {
      out.println(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** One compact JSON line: for a stream of events rather than one document. */
  static void printLine(PrintWriter out, ObjectNode node) {
    try {
      out.println(
          MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** Plan steps as [{"resource","name","action","changes":[...]}]. */
  static ArrayNode steps(List<PlanStep> steps) {
    ArrayNode array = MAPPER.createArrayNode();
    for (PlanStep s : steps) {
      ObjectNode o =
          array
              .addObject()
              .put("resource", s.resource())
              .put("name", s.name())
              .put("action", s.action().label());
      s.changes().forEach(o.putArray("changes")::add);
      if (s.changes().isEmpty()) {
        o.putArray("changes");
      }
    }
    return array;
  }

  /** {@code "canary": {"version","percent"}} while a canary is in progress, else null. */
  static void canary(ObjectNode o, LiveAlias.State live) {
    if (live == null || !live.canary()) {
      o.putNull("canary");
    } else {
      o.putObject("canary")
          .put("version", live.canaryVersion())
          .put("percent", live.canaryPercent());
    }
  }

  private Json() {}
}
