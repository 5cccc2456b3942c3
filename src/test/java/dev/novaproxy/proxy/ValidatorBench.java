package dev.novaproxy.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.function.Function;

/**
 * Prints how long {@link RequestValidator#validate} takes per request for a typical 2 KB chat body
 * and a 1 MB body carrying an image, after warm-up. A figure, not a test: run it with
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.novaproxy.proxy.ValidatorBench
 * </pre>
 */
public final class ValidatorBench {
  private static volatile Object sink;

  public static void main(String[] args) {
    RequestValidator validator = new RequestValidator(Policy.defaults());
    byte[] small = typicalBody();
    byte[] large = imageBody(1024 * 1024);
    Function<byte[], Object> validate = validator::validate;
    // What the core does per request: validate, then serialise the body it forwards.
    Function<byte[], Object> forward =
        b -> validator.validate(b).body().toString().getBytes(StandardCharsets.UTF_8);
    report("validate", "typical chat body", small, 200_000, validate);
    report("validate", "body with an image", large, 400, validate);
    report("validate+serialise", "typical chat body", small, 200_000, forward);
    report("validate+serialise", "body with an image", large, 400, forward);
  }

  private static void report(
      String op, String what, byte[] body, int iterations, Function<byte[], Object> run) {
    run.apply(body); // fails loudly here if the sample is not valid
    for (int i = 0; i < iterations; i++) {
      sink = run.apply(body); // warm-up: let the JIT compile the hot paths
    }
    long[] rounds = new long[5];
    for (int r = 0; r < rounds.length; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        sink = run.apply(body);
      }
      rounds[r] = (System.nanoTime() - start) / iterations;
    }
    Arrays.sort(rounds);
    double mbPerSecond = body.length / (rounds[2] / 1e9) / (1024 * 1024);
    System.out.printf(
        "%-19s %-19s %8d bytes  median %,10d ns/op  (min %,d, max %,d; %,.0f MB/s)%n",
        op, what, body.length, rounds[2], rounds[0], rounds[rounds.length - 1], mbPerSecond);
  }

  /** About 2 KB: a system prompt, a few turns, sampling parameters, a tool and metadata. */
  static byte[] typicalBody() {
    String sentence =
        "The quick brown fox jumps over the lazy dog, and then it rests for a while. ";
    String json =
        "{\"model\":\"nova-2-lite-v1\",\"temperature\":0.7,\"top_p\":0.9,\"max_tokens\":1024,\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"metadata\":{\"app\":\"bench\",\"session\":\"a1b2c3\"},\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Current"
            + " weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}],"
            + "\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant. "
            + sentence.repeat(3)
            + "\"},"
            + "{\"role\":\"user\",\"content\":\""
            + sentence.repeat(5)
            + "\"},"
            + "{\"role\":\"assistant\",\"content\":\""
            + sentence.repeat(5)
            + "\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
            + sentence.repeat(6)
            + "h\u00e9 \u65e5\u672c\"}]}]}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** A user message with a base64 PNG data URL, padded to {@code size} bytes. */
  static byte[] imageBody(int size) {
    String head =
        "{\"model\":\"nova-2-lite-v1\",\"messages\":[{\"role\":\"user\",\"content\":["
            + "{\"type\":\"text\",\"text\":\"What is in this picture?\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,";
    String tail = "\"}}]}]}";
    int b64Length = (size - head.length() - tail.length()) / 4 * 4;
    byte[] raw = new byte[b64Length / 4 * 3];
    new Random(1).nextBytes(raw);
    String json = head + Base64.getEncoder().encodeToString(raw) + tail;
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private ValidatorBench() {}
}
