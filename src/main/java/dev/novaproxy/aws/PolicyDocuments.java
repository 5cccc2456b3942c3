package dev.novaproxy.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** IAM policy documents: built as JSON, compared as JSON (IAM returns them URL-encoded). */
final class PolicyDocuments {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode parse(String document) {
    if (document == null) {
      return null;
    }
    String text =
        document.trim().startsWith("{")
            ? document
            : URLDecoder.decode(document, StandardCharsets.UTF_8);
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  static boolean same(String a, String b) {
    JsonNode x = parse(a);
    return x != null && x.equals(parse(b));
  }

  private PolicyDocuments() {}
}
