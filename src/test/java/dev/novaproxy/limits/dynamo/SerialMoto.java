package dev.novaproxy.limits.dynamo;

import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TempPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * moto answering one request at a time. moto's own server is threaded, and its TransactWriteItems
 * neither locks nor isolates: it copies the whole table, checks and writes, and on a cancellation
 * puts its copy back, undoing what other requests wrote meanwhile. 50 concurrent reserves against a
 * budget that fits 33 were answered "granted" 35 and 37 times while the counter ended at 33's
 * worth. DynamoDB serializes transactions on an item, so for concurrency this moto, which
 * serializes every request, is the faithful one.
 */
public final class SerialMoto implements AutoCloseable {
  private static final String SCRIPT =
      String.join(
          "\n",
          "import sys",
          "from werkzeug.serving import run_simple",
          "from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app",
          "run_simple('127.0.0.1', int(sys.argv[1]), DomainDispatcherApplication(create_backend_app),",
          "           threaded=False)");

  private final Process process;
  private final URI endpoint;

  private SerialMoto(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Forgets every resource, as if moto had just started. */
  void reset() throws IOException, InterruptedException {
    var r =
        HTTP.send(
            HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("moto reset answered " + r.statusCode());
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static SerialMoto start() throws IOException, InterruptedException {
    MotoServer.useFakeCredentials();
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = TempPaths.file("moto-serial", ".log");
    Process p =
        new ProcessBuilder("python3", "-c", SCRIPT, Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HTTP;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "moto exited; run " + MotoServer.INSTALL + ". Its output:\n" + Files.readString(log));
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return new SerialMoto(p, endpoint);
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    p.destroyForcibly();
    throw new IllegalStateException("moto did not start; its output:\n" + Files.readString(log));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
