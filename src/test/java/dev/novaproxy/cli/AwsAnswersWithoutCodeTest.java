package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the AWS commands say when the endpoint is not AWS: an emulator or a corporate proxy that
 * answers 5xx with an empty or HTML body (no AWS error code), or nothing listening at all. A real
 * loopback server answers every call; each command must print one line naming the fix, without a
 * stack trace, and exit non-zero.
 */
class AwsAnswersWithoutCodeTest {
  private static final String KEY = "nova-key-0123456789abcdef";

  @TempDir Path dir;
  private HttpServer server;
  private volatile int status;
  private volatile String contentType;
  private volatile String body;

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("config.json").toString());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
          }
          ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    System.clearProperty(ConfigFile.PATH_PROPERTY);
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(500, null, ""),
        Arguments.of(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
        Arguments.of(503, "text/plain", "upstream connect error or disconnect/reset"),
        Arguments.of(500, "application/json", "{}"));
  }

  /** The four AWS commands, each pointed at {@code endpoint}. */
  private List<CliRun> everyCommand(String endpoint) throws IOException {
    Path code = TestZip.write(dir, "code");
    List<String> at = List.of("--region", "us-east-1", "--endpoint-url", endpoint);
    List<CliRun> runs = new ArrayList<>();
    runs.add(CliRun.run(with(at, "status")));
    runs.add(CliRun.runWithStdin(KEY + "\n", with(at, "setup", "--api-key-stdin")));
    runs.add(
        CliRun.run(
            with(at, "deploy", "--dry-run", "--artifact", code.toString(), "--no-snapstart")));
    runs.add(CliRun.run(with(at, "destroy", "--yes")));
    return runs;
  }

  private static String[] with(List<String> at, String... command) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(at);
    return all.toArray(String[]::new);
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("answers")
  void should_say_in_one_line_that_the_endpoint_answered_without_an_aws_error(
      int status, String contentType, String body) throws IOException {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    for (CliRun r : everyCommand("http://127.0.0.1:" + server.getAddress().getPort())) {
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
      assertThat(r.err()).as("%s", r).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(r.err().lines().count()).as("%s", r).isEqualTo(1);
      assertThat(r.err())
          .as("%s", r)
          .startsWith("novaproxy: ")
          .contains("AWS answered HTTP " + status + " without an AWS error code")
          .contains("--endpoint-url")
          .contains("--region");
      assertThat(r.out()).as("%s", r).isEmpty();
      assertThat(r.err()).doesNotContain(KEY);
    }
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("answers")
  void should_show_the_status_and_cause_with_verbose(int status, String contentType, String body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    CliRun r =
        CliRun.run(
            "status",
            "-v",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:" + server.getAddress().getPort());
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).as("%s", r).contains("StsException").doesNotContain("NullPointer");
  }

  @Test
  void should_say_in_one_line_that_nothing_listens_at_the_endpoint() throws IOException {
    int port;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    for (CliRun r : everyCommand("http://127.0.0.1:" + port)) {
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
      assertThat(r.err().lines().count()).as("%s", r).isEqualTo(1);
      assertThat(r.err())
          .as("%s", r)
          .startsWith("novaproxy: ")
          .contains("Cannot reach AWS at 127.0.0.1:" + port + " (Connection refused)")
          .contains("--endpoint-url")
          .doesNotContain("Exception");
    }
  }
}
