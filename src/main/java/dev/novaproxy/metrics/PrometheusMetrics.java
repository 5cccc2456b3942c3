package dev.novaproxy.metrics;

import dev.novaproxy.proxy.MetricsPage;
import dev.novaproxy.proxy.RequestOutcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code serve}'s figures for {@code GET /metrics}, in the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): the same figures the function
 * publishes as EMF, as counters and histograms since the process started. Written by hand: the
 * format is a few lines of text and a client library would be the CLI's largest dependency.
 *
 * <p>Labels stay few and bounded, as in EMF: route, status and error code are the proxy's own;
 * model appears only on token counters, which only a model Nova answered for reaches.
 */
public final class PrometheusMetrics implements MetricsPage, Consumer<RequestOutcome> {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String DOOR = "serve";

  /** Seconds: from a quick refusal to a long stream (a function URL allows 15 minutes). */
  static final double[] BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900
  };

  private final Map<String, Long> requests = new TreeMap<>(); // labels -> count
  private final Map<String, Long> errors = new TreeMap<>();
  private final Map<String, Long> promptTokens = new TreeMap<>();
  private final Map<String, Long> completionTokens = new TreeMap<>();
  private long throttled;
  private long overLimit;
  private final Histogram latency = new Histogram();
  private final Histogram upstream = new Histogram();
  private final Histogram firstToken = new Histogram();

  @Override
  public synchronized void accept(RequestOutcome o) {
    int status = o.status();
    String route = o.route() == null ? "unknown" : o.route();
    requests.merge(
        labels("route", route, "status", Integer.toString(status), "class", (status / 100) + "xx"),
        1L,
        Long::sum);
    if (o.errorCode() != null) {
      errors.merge(labels("code", o.errorCode()), 1L, Long::sum);
    }
    latency.observe(o.latencyMs() / 1000);
    if (o.upstreamMs() != null) {
      upstream.observe(o.upstreamMs() / 1000);
    }
    if (o.stream() && o.firstTokenMs() != null) {
      firstToken.observe(o.firstTokenMs() / 1000);
    }
    String model = labels("model", o.model() == null ? "unknown" : o.model());
    if (o.promptTokens() != null) {
      promptTokens.merge(model, o.promptTokens(), Long::sum);
    }
    if (o.completionTokens() != null) {
      completionTokens.merge(model, o.completionTokens(), Long::sum);
    }
    throttled += o.upstreamThrottled() ? 1 : 0;
    overLimit += o.overLimit() ? 1 : 0;
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public synchronized byte[] render() {
    StringBuilder out = new StringBuilder(4096);
    counters(out, "novaproxy_requests_total", "Requests answered, by route and status.", requests);
    counters(
        out,
        "novaproxy_errors_total",
        "Requests answered with an error, by the error's code.",
        errors);
    histogram(out, "novaproxy_request_duration_seconds", "Time to answer a request.", latency);
    histogram(
        out,
        "novaproxy_upstream_duration_seconds",
        "Time Nova took, for requests that reached it.",
        upstream);
    histogram(
        out,
        "novaproxy_time_to_first_token_seconds",
        "Streams: from the request to the first event sent to the client.",
        firstToken);
    counters(
        out,
        "novaproxy_prompt_tokens_total",
        "Prompt tokens Nova reported, by model.",
        promptTokens);
    counters(
        out,
        "novaproxy_completion_tokens_total",
        "Completion tokens Nova reported, by model.",
        completionTokens);
    counters(
        out,
        "novaproxy_upstream_throttled_total",
        "Requests Nova answered with 429.",
        Map.of(labels(), throttled));
    counters(
        out,
        "novaproxy_over_limit_total",
        "Requests novaproxy's own limits refused (per key, per address, daily budget).",
        Map.of(labels(), overLimit));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void counters(
      StringBuilder out, String name, String help, Map<String, Long> values) {
    header(out, name, help, "counter");
    values.forEach(
        (labels, v) -> out.append(name).append(labels).append(' ').append(v).append('\n'));
  }

  private static void histogram(StringBuilder out, String name, String help, Histogram h) {
    header(out, name, help, "histogram");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += h.counts[i];
      out.append(name)
          .append("_bucket")
          .append(labels("le", Double.toString(BUCKETS[i])))
          .append(' ')
          .append(cumulative)
          .append('\n');
    }
    String door = labels();
    out.append(name).append("_bucket").append(labels("le", "+Inf")).append(' ');
    out.append(h.count).append('\n');
    out.append(name).append("_sum").append(door).append(' ').append(h.sum).append('\n');
    out.append(name).append("_count").append(door).append(' ').append(h.count).append('\n');
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** {@code {door="serve",k1="v1",...}}, values escaped as the format asks. */
  static String labels(String... pairs) {
    StringBuilder b = new StringBuilder("{door=\"").append(DOOR).append('"');
    for (int i = 0; i < pairs.length; i += 2) {
      b.append(',').append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
    }
    return b.append('}').toString();
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Counts per bucket (not yet cumulative), the sum and the count. */
  private static final class Histogram {
    final long[] counts = new long[BUCKETS.length];
    long count;
    double sum;

    void observe(double seconds) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          counts[i]++;
          break;
        }
      }
      count++;
      sum += seconds;
    }
  }
}
