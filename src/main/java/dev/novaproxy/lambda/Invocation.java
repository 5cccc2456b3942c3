package dev.novaproxy.lambda;

import java.io.IOException;
import java.time.Duration;

/**
 * One event from {@code /runtime/invocation/next}, with the headers the Runtime API sends with it:
 * {@code Lambda-Runtime-Aws-Request-Id}, {@code Lambda-Runtime-Deadline-Ms} (epoch milliseconds)
 * and {@code Lambda-Runtime-Trace-Id}.
 */
record Invocation(String requestId, long deadlineEpochMillis, String traceId, byte[] event) {
  static Invocation from(RuntimeHttp.Reply reply) throws IOException {
    String id = reply.header("lambda-runtime-aws-request-id");
    if (id == null || id.isBlank()) {
      throw new IOException("The Runtime API sent an event without Lambda-Runtime-Aws-Request-Id");
    }
    String deadline = reply.header("lambda-runtime-deadline-ms");
    long deadlineMillis;
    try {
      deadlineMillis = Long.parseLong(deadline == null ? "" : deadline.trim());
    } catch (NumberFormatException e) {
      throw new IOException(
          "The Runtime API sent an event without a valid Lambda-Runtime-Deadline-Ms: " + deadline,
          e);
    }
    return new Invocation(
        id, deadlineMillis, reply.header("lambda-runtime-trace-id"), reply.body());
  }

  /** The time left before Lambda ends the invocation, less {@code margin}; never negative. */
  Duration remaining(long nowEpochMillis, Duration margin) {
    return Duration.ofMillis(Math.max(0, deadlineEpochMillis - nowEpochMillis - margin.toMillis()));
  }
}
