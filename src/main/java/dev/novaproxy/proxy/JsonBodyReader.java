package dev.novaproxy.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Reads a request body into the object that is forwarded to Nova. Fields the proxy checks become
 * trees; every other top-level field is kept as the exact bytes the client sent ({@link RawValue}),
 * so that what the proxy does not understand reaches Nova unchanged, byte for byte. All of it is
 * parsed either way, so duplicate keys, depth and string limits hold everywhere.
 *
 * <p>Thread-safe: the factory and mapper are built once and only read.
 */
final class JsonBodyReader {
  private final ObjectMapper mapper;
  private final Set<String> treeFields;
  private final Policy.Limits limits;

  JsonBodyReader(Policy.Limits limits, Set<String> treeFields) {
    this.limits = limits;
    this.treeFields = Set.copyOf(treeFields);
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxDepth())
                    .maxStringLength(limits.maxStringLength())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    // Decimals as BigDecimal with their trailing zeros, so a tool schema's 1.50 stays 1.50.
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
  }

  ObjectNode read(byte[] body) {
    JsonParser p = null;
    try {
      p = mapper.createParser(body);
      return readObject(p, body);
    } catch (StreamConstraintsException e) {
      throw limitExceeded(e, p);
    } catch (JsonParseException e) {
      throw syntax(e, p, body);
    } catch (IOException e) {
      throw ProxyException.invalid(
          null, InvalidRequest.INVALID_JSON, "The request body could not be read as JSON.");
    } finally {
      closeQuietly(p);
    }
  }

  private ObjectNode readObject(JsonParser p, byte[] body) throws IOException {
    JsonToken first = p.nextToken();
    if (first == null) {
      throw ProxyException.invalid(
          null,
          InvalidRequest.INVALID_JSON,
          "The request body is empty; send a JSON object with 'messages'.");
    }
    if (first != JsonToken.START_OBJECT) {
      throw ProxyException.invalid(
          null,
          InvalidRequest.INVALID_TYPE,
          "The request body must be a JSON object, not " + tokenKind(first) + ".");
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (treeFields.contains(name)) {
        out.set(name, readValue(p));
      } else {
        long start = p.currentTokenLocation().getByteOffset();
        readValue(p);
        long end = p.currentLocation().getByteOffset();
        out.putRawValue(
            name,
            new RawValue(
                new String(body, (int) start, (int) (end - start), StandardCharsets.UTF_8)));
      }
    }
    int end = (int) p.currentLocation().getByteOffset();
    boolean more;
    try {
      more = p.nextToken() != null;
    } catch (JsonParseException e) {
      more = true; // not even JSON: still, what is wrong is that anything follows
    }
    if (more) {
      int at = end;
      while (at < body.length && isJsonWhitespace(body[at])) {
        at++;
      }
      throw ProxyException.invalid(
          null,
          InvalidRequest.INVALID_JSON,
          "The request body has more data after the JSON object ends, at "
              + JsonSyntaxError.position(body, at)
              + "; send exactly one JSON object.");
    }
    return out;
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private JsonNode readValue(JsonParser p) throws IOException {
    JsonNode node = mapper.readTree(p);
    return node == null ? NullNode.getInstance() : node;
  }

  private ProxyException limitExceeded(StreamConstraintsException e, JsonParser p) {
    String path = p == null ? null : pathOf(p.getParsingContext());
    String msg = String.valueOf(e.getOriginalMessage());
    if (msg.contains("nesting depth")) {
      return ProxyException.invalid(
          path,
          InvalidRequest.TOO_DEEP,
          "The request nests JSON deeper than the limit of "
              + limits.maxDepth()
              + " levels"
              + at(path)
              + ".");
    }
    if (msg.startsWith("String value length")) {
      return ProxyException.invalid(
          path,
          InvalidRequest.STRING_TOO_LONG,
          "A string"
              + at(path)
              + " is longer than the limit of "
              + limits.maxStringLength()
              + " characters.");
    }
    // Number and key lengths: Jackson's own limits (1000 digits, 50000 characters), far beyond
    // any real request; say which without naming Jackson's internals.
    String what = msg.startsWith("Number value length") ? "A number" : "A key";
    StreamReadConstraints c = StreamReadConstraints.defaults();
    String limit =
        what.equals("A number")
            ? c.getMaxNumberLength() + " digits"
            : c.getMaxNameLength() + " characters";
    return ProxyException.invalid(
        path, InvalidRequest.INVALID_VALUE, what + at(path) + " is longer than " + limit + ".");
  }

  private ProxyException syntax(JsonParseException e, JsonParser p, byte[] body) {
    String msg = String.valueOf(e.getOriginalMessage());
    if (msg.startsWith("Duplicate field")) {
      String path = p == null ? null : pathOf(p.getParsingContext());
      return ProxyException.invalid(
          path,
          InvalidRequest.DUPLICATE_KEY,
          "The key '" + path + "' appears more than once; send each key once.");
    }
    return ProxyException.invalid(
        null, InvalidRequest.INVALID_JSON, JsonSyntaxError.describe(e, body));
  }

  /** The path of the parser's position in the form clients know: {@code messages[0].content}. */
  static String pathOf(JsonStreamContext ctx) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray() && c.getCurrentIndex() >= 0) {
        parts.push("[" + c.getCurrentIndex() + "]");
      } else if (c.inObject() && c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    if (path.startsWith(".")) {
      path = path.substring(1);
    }
    return path.isEmpty() ? null : path;
  }

  private static String at(String path) {
    return path == null ? "" : " at '" + path + "'";
  }

  private static String tokenKind(JsonToken t) {
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }

  private static void closeQuietly(JsonParser p) {
    if (p != null) {
      try {
        p.close();
      } catch (IOException e) {
        // a parser over a byte array holds nothing to release
      }
    }
  }
}
