package dev.novaproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks log lines against the Embedded Metric Format: AWS's published JSON schema
 * (src/test/resources/emf, with its source), plus the specification's target-member rules the
 * schema cannot express (every dimension a directive names is a top-level string, every metric a
 * top-level number or array of numbers).
 */
public final class EmfLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA = load();

  private EmfLines() {}

  private static Schema load() {
    try (InputStream in = EmfLines.class.getResourceAsStream("/emf/emf-schema.json")) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is wrong with the line as an EMF document; empty when nothing. */
  public static List<String> problems(JsonNode line) {
    List<String> out = new ArrayList<>();
    for (Error e : SCHEMA.validate(line)) {
      out.add("schema: " + e.getInstanceLocation() + " " + e.getMessage());
    }
    for (JsonNode directive : line.path("_aws").path("CloudWatchMetrics")) {
      for (JsonNode set : directive.path("Dimensions")) {
        for (JsonNode dimension : set) {
          if (!line.path(dimension.asText()).isTextual()) {
            out.add("dimension " + dimension + " is not a top-level string member");
          }
        }
      }
      for (JsonNode metric : directive.path("Metrics")) {
        JsonNode value = line.path(metric.path("Name").asText());
        boolean numbers = value.isArray() && value.size() <= 100;
        for (JsonNode v : value) {
          numbers &= v.isNumber();
        }
        if (!value.isNumber() && !numbers) {
          out.add("metric " + metric.path("Name") + " is not a top-level number");
        }
      }
    }
    return out;
  }

  /** The line, parsed, after asserting it is a valid EMF document. */
  public static JsonNode valid(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
    assertThat(problems(node)).as(line).isEmpty();
    return node;
  }
}
