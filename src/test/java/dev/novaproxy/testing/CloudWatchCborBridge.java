package dev.novaproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback endpoint in front of moto that lets the AWS SDK's CloudWatch client reach it. The SDK
 * for Java v2 speaks only the Smithy RPC v2 CBOR protocol to CloudWatch, which moto does not
 * (getmoto/moto#9195); moto does speak CloudWatch's JSON protocol ({@code X-Amz-Target:
 * GraniteServiceVersion20100801.<Op>}, {@code application/x-amz-json-1.0}).
 *
 * <p>Sources: the Smithy RPC v2 CBOR protocol specification
 * (smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html: {@code POST
 * /service/<Service>/operation/<Operation>}, header {@code smithy-protocol: rpc-v2-cbor}, {@code
 * Content-Type: application/cbor}, timestamps as CBOR tag 1 epoch seconds, errors named by {@code
 * __type}) and the Amazon CloudWatch API Reference (PutMetricData, GetMetricData: members,
 * statistics {@code Sum}, {@code SampleCount}, {@code Average}, {@code Minimum}, {@code Maximum},
 * {@code pNN}; points in [StartTime, EndTime), one value per period from StartTime, newest first).
 *
 * <p>What it does:
 *
 * <ul>
 *   <li>Every other request (Lambda, IAM, SNS, Logs, ...) goes to moto unchanged, so a test points
 *       the whole CLI at this one endpoint.
 *   <li>A CloudWatch request must use the RPC v2 CBOR path and header (else 400, so a change in the
 *       SDK's protocol fails the tests); its CBOR body is decoded and sent to moto as JSON, and
 *       moto's JSON answer is encoded back as CBOR, timestamps tagged. So alarms are stored,
 *       described, tagged and deleted by moto itself.
 *   <li>PutMetricData and GetMetricData are answered here: moto's GetMetricData has no percentile
 *       statistics (p95 makes it fail with 500, verified on 5.2.1) and no metric math, so this
 *       keeps the data points and computes the statistics itself (percentiles by nearest rank).
 * </ul>
 */
public final class CloudWatchCborBridge implements AutoCloseable {
  static final String SERVICE = "GraniteServiceVersion20100801";
  private static final String PREFIX = "/service/" + SERVICE + "/operation/";
  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CBORMapper CBOR = new CBORMapper();

  private final URI moto;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<String> operations = Collections.synchronizedList(new ArrayList<>());
  private final List<Point> points = Collections.synchronizedList(new ArrayList<>());

  /** One stored value of a metric. */
  private record Point(
      String namespace, String metric, Map<String, String> dimensions, double time, double value) {}

  private CloudWatchCborBridge(URI moto) throws IOException {
    this.moto = moto;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a bridge in front of the moto at {@code moto}. */
  public static CloudWatchCborBridge start(URI moto) throws IOException {
    return new CloudWatchCborBridge(moto);
  }

  /** The endpoint to give the SDK or the CLI ({@code --endpoint-url}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The CloudWatch operations received, in order. */
  public List<String> operations() {
    synchronized (operations) {
      return List.copyOf(operations);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      if (path.startsWith(PREFIX)) {
        cloudWatch(ex, path.substring(PREFIX.length()), body);
      } else {
        forward(ex, body);
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      byte[] msg = String.valueOf(e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(500, msg.length);
      ex.getResponseBody().write(msg);
    } finally {
      ex.close();
    }
  }

  private void forward(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(moto.resolve(ex.getRequestURI().toString()))
            .timeout(Duration.ofSeconds(60))
            .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders()
        .forEach(
            (k, values) -> {
              if (!NOT_FORWARDED.contains(k.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> req.header(k, v));
              }
            });
    HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    r.headers()
        .map()
        .forEach(
            (k, values) -> {
              if (!NOT_FORWARDED.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                ex.getResponseHeaders().put(k, values);
              }
            });
    reply(ex, r.statusCode(), r.body());
  }

  private void cloudWatch(HttpExchange ex, String operation, byte[] body)
      throws IOException, InterruptedException {
    operations.add(operation);
    String protocol = ex.getRequestHeaders().getFirst("smithy-protocol");
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (!"rpc-v2-cbor".equals(protocol)
        || (body.length > 0 && (type == null || !type.startsWith("application/cbor")))) {
      cbor(ex, 400, error("SerializationException", "not RPC v2 CBOR: " + protocol + ", " + type));
      return;
    }
    // PutMetricData carries the requestCompression trait: the SDK gzips bodies from 10 KB up.
    if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      body =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
    }
    JsonNode input = body.length == 0 ? JSON.createObjectNode() : CBOR.readTree(body);
    switch (operation) {
      case "PutMetricData" -> {
        putMetricData(input);
        cbor(ex, 200, JSON.createObjectNode());
      }
      case "GetMetricData" -> {
        ObjectNode out = getMetricData(input);
        cbor(ex, out.has("__type") ? 400 : 200, out);
      }
      default -> {
        HttpRequest.Builder req =
            HttpRequest.newBuilder(moto.resolve("/"))
                .timeout(Duration.ofSeconds(30))
                .header("X-Amz-Target", SERVICE + "." + operation)
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(input)));
        // moto picks the service from the signature's credential scope ("monitoring").
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
          req.header("Authorization", auth);
        }
        HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode answer = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        cbor(ex, r.statusCode(), answer);
      }
    }
  }

  private void putMetricData(JsonNode input) {
    String namespace = input.path("Namespace").asText();
    for (JsonNode d : input.path("MetricData")) {
      Map<String, String> dims = dimensions(d.path("Dimensions"));
      double time =
          d.has("Timestamp") ? d.get("Timestamp").asDouble() : System.currentTimeMillis() / 1e3;
      String name = d.path("MetricName").asText();
      if (d.has("Value")) {
        points.add(new Point(namespace, name, dims, time, d.get("Value").asDouble()));
      }
      JsonNode values = d.path("Values");
      for (int i = 0; i < values.size(); i++) {
        int count = d.path("Counts").has(i) ? d.path("Counts").get(i).asInt() : 1;
        for (int c = 0; c < count; c++) {
          points.add(new Point(namespace, name, dims, time, values.get(i).asDouble()));
        }
      }
    }
  }

  private ObjectNode getMetricData(JsonNode input) {
    double start = input.path("StartTime").asDouble();
    double end = input.path("EndTime").asDouble();
    boolean ascending = "TimestampAscending".equals(input.path("ScanBy").asText());
    ObjectNode out = JSON.createObjectNode();
    ArrayNode results = out.putArray("MetricDataResults");
    for (JsonNode q : input.path("MetricDataQueries")) {
      if (!q.has("MetricStat")) {
        return error("ValidationError", "the stand-in evaluates MetricStat queries only");
      }
      JsonNode stat = q.get("MetricStat");
      JsonNode metric = stat.get("Metric");
      int period = stat.path("Period").asInt();
      String statistic = stat.path("Stat").asText();
      Map<String, String> dims = dimensions(metric.path("Dimensions"));
      List<Double> times = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (double t = start; t < end; t += period) {
        double from = t;
        List<Double> in;
        synchronized (points) {
          in =
              points.stream()
                  .filter(p -> p.namespace().equals(metric.path("Namespace").asText()))
                  .filter(p -> p.metric().equals(metric.path("MetricName").asText()))
                  .filter(p -> p.dimensions().equals(dims))
                  .filter(p -> p.time() >= from && p.time() < Math.min(from + period, end))
                  .map(Point::value)
                  .sorted()
                  .toList();
        }
        if (!in.isEmpty()) {
          times.add(from);
          values.add(statistic(statistic, in));
        }
      }
      if (!ascending) {
        Collections.reverse(times);
        Collections.reverse(values);
      }
      if (q.path("ReturnData").asBoolean(true)) {
        ObjectNode r = results.addObject();
        r.put("Id", q.path("Id").asText())
            .put("Label", q.path("Label").asText(metric.path("MetricName").asText()))
            .put("StatusCode", "Complete");
        times.forEach(r.putArray("Timestamps")::add);
        values.forEach(r.putArray("Values")::add);
        r.putArray("Messages");
      }
    }
    out.putArray("Messages");
    return out;
  }

  /** A statistic over the sorted values of one period. */
  static double statistic(String stat, List<Double> sorted) {
    double sum = sorted.stream().mapToDouble(Double::doubleValue).sum();
    return switch (stat) {
      case "Sum" -> sum;
      case "SampleCount" -> sorted.size();
      case "Average" -> sum / sorted.size();
      case "Minimum" -> sorted.get(0);
      case "Maximum" -> sorted.get(sorted.size() - 1);
      default -> {
        if (!stat.matches("p\\d{1,2}(\\.\\d+)?")) {
          throw new IllegalArgumentException("unknown statistic " + stat);
        }
        double p = Double.parseDouble(stat.substring(1));
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        yield sorted.get(Math.max(0, rank - 1));
      }
    };
  }

  private static Map<String, String> dimensions(JsonNode list) {
    Map<String, String> m = new TreeMap<>();
    list.forEach(d -> m.put(d.path("Name").asText(), d.path("Value").asText()));
    return m;
  }

  private static ObjectNode error(String type, String message) {
    return JSON.createObjectNode().put("__type", type).put("message", message);
  }

  private static void cbor(HttpExchange ex, int status, JsonNode body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (CBORGenerator g = new CBORFactory().createGenerator(bytes)) {
      write(g, null, body);
    }
    ex.getResponseHeaders().set("smithy-protocol", "rpc-v2-cbor");
    ex.getResponseHeaders().set("Content-Type", "application/cbor");
    reply(ex, status, bytes.toByteArray());
  }

  /**
   * Writes JSON as CBOR; members named like CloudWatch's timestamps ({@code ...Timestamp}, {@code
   * Timestamps}) as tag 1, epoch seconds, as the protocol encodes timestamps.
   */
  private static void write(CBORGenerator g, String field, JsonNode n) throws IOException {
    boolean timestamp =
        field != null && (field.endsWith("Timestamp") || field.equals("Timestamps"));
    if (n.isObject()) {
      g.writeStartObject();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        g.writeFieldName(e.getKey());
        write(g, e.getKey(), e.getValue());
      }
      g.writeEndObject();
    } else if (n.isArray()) {
      g.writeStartArray();
      for (JsonNode item : n) {
        write(g, field, item);
      }
      g.writeEndArray();
    } else if (n.isNumber()) {
      if (timestamp) {
        g.writeTag(1);
        g.writeNumber(n.asDouble());
      } else if (n.isIntegralNumber()) {
        g.writeNumber(n.asLong());
      } else {
        g.writeNumber(n.asDouble());
      }
    } else if (n.isTextual()) {
      g.writeString(n.asText());
    } else if (n.isBoolean()) {
      g.writeBoolean(n.asBoolean());
    } else {
      g.writeNull();
    }
  }

  private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
