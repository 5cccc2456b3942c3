package dev.novaproxy.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * moto, the AWS emulator, in server mode on a free loopback port: started once per test run (the
 * first class that asks for it), reset before every test, stopped when the run ends. Tests point
 * the SDK or the CLI at {@link #endpoint()} with fake credentials from system properties.
 *
 * <p>There is no silent skip: without python3 and moto the tests fail and say how to install it.
 *
 * <p>The shared server runs with {@link #ENVIRONMENT}: ACM issues a certificate as soon as it is
 * described again. A test that needs other moto settings starts its own with {@link #separate}.
 */
public final class MotoServer implements BeforeAllCallback, BeforeEachCallback {
  public static final String REGION = "us-east-1";
  public static final String INSTALL = "pip install 'moto[server]'";

  /**
   * moto's settings for the shared server: {@code MOTO_ACM_VALIDATION_WAIT=0} issues a requested
   * certificate at once (moto's default is 60 s; it checks no DNS record either way).
   */
  public static final Map<String, String> ENVIRONMENT = Map.of("MOTO_ACM_VALIDATION_WAIT", "0");

  private static Instance instance;

  /** A moto server of the test's own with these settings in its environment; close it after. */
  public static Separate separate(Map<String, String> environment)
      throws IOException, InterruptedException {
    useFakeCredentials();
    return new Separate(Instance.start(environment));
  }

  /** A moto server that is not the shared one. */
  public static final class Separate implements AutoCloseable {
    private final Instance instance;

    private Separate(Instance instance) {
      this.instance = instance;
    }

    public URI endpoint() {
      return instance.endpoint;
    }

    @Override
    public void close() throws InterruptedException {
      instance.stop();
    }
  }

  /** The running server's endpoint, for {@code --endpoint-url} and {@code endpointOverride}. */
  public static synchronized URI endpoint() {
    if (instance == null) {
      throw new IllegalStateException(
          "MotoServer is not started: annotate the test with @ExtendWith(MotoServer.class)");
    }
    return instance.endpoint;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    useFakeCredentials();
    synchronized (MotoServer.class) {
      if (instance == null) {
        instance = Instance.start(ENVIRONMENT);
        // Stored at the root so JUnit closes it once, when the whole run ends.
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.GLOBAL)
            .put(MotoServer.class, instance);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    useFakeCredentials();
    reset();
  }

  /** Forgets every resource, as if moto had just started. */
  public static void reset() throws IOException, InterruptedException {
    var response =
        HTTP.send(
            HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("moto reset answered " + response.statusCode());
    }
  }

  /**
   * Fake credentials for the SDK's default chain, and no look-ups outside loopback: no instance
   * metadata, no real ~/.aws files.
   */
  public static void useFakeCredentials() {
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    System.clearProperty("aws.sessionToken");
    System.setProperty("aws.disableEc2Metadata", "true");
    System.setProperty("aws.sharedCredentialsFile", "/nonexistent/novaproxy-test/credentials");
    System.setProperty("aws.configFile", "/nonexistent/novaproxy-test/config");
  }

  /** Removes the fake credentials, for tests of the "no credentials" path. */
  public static void removeCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static final class Instance
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final Process process;
    private final URI endpoint;

    private Instance(Process process, URI endpoint) {
      this.process = process;
      this.endpoint = endpoint;
    }

    static Instance start(Map<String, String> environment)
        throws IOException, InterruptedException {
      int port;
      try (var socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Path log = TempPaths.file("moto-server", ".log");
      Process process;
      try {
        ProcessBuilder builder =
            new ProcessBuilder(
                    "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        process = builder.start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "Cannot start python3 for moto ("
                + e.getMessage()
                + "); install Python 3 and then "
                + INSTALL,
            e);
      }
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "moto server exited with "
                  + process.exitValue()
                  + "; is moto installed? Run "
                  + INSTALL
                  + ". Its output:\n"
                  + Files.readString(log));
        }
        try {
          var r =
              HTTP.send(
                  HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return new Instance(process, endpoint);
          }
        } catch (IOException notYet) {
          // still starting
        }
        Thread.sleep(200);
      }
      process.destroyForcibly();
      throw new IllegalStateException(
          "moto server did not answer within 60 s; its output:\n" + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      synchronized (MotoServer.class) {
        instance = null;
      }
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
