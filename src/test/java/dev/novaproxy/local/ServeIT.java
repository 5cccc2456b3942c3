package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.IsolatedEnvironment;
import dev.novaproxy.testing.TempPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code novaproxy serve} as a user runs it: the launcher script, a separate JVM, the key in the
 * environment, and Ctrl-C (SIGTERM here) to stop.
 */
class ServeIT {
  private static final String KEY = "sk-serve-IT-key-never-in-argv-81aa";
  private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private FakeNova nova;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<Process, Path> errors = new java.util.HashMap<>();

  private String stderr(Process p) throws IOException {
    return Files.readString(errors.get(p));
  }

  @BeforeEach
  void upstream() {
    nova = FakeNova.start().requireKey(KEY);
  }

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    nova.close();
  }

  /** serve with the key in its environment, on a free port, in front of the fake Nova. */
  private Process serveWithKeyOnFreePort(String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("--port", "0", "--upstream-url", nova.baseUrl().toString()));
    args.addAll(List.of(extra));
    return serve(Map.of("NOVA_API_KEY", KEY), args.toArray(String[]::new));
  }

  private Process serve(Map<String, String> env, String... args) throws IOException {
    Path launcher = Path.of(System.getProperty("novaproxy.dist"), "novaproxy");
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "serve"));
    command.addAll(List.of(args));
    // stderr to a file: destroy() closes the process's pipes, and the log must be read after.
    Path err = TempPaths.file("serve", ".err");
    errors.put(null, err);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectError(err.toFile());
    // Not the developer's key, settings or config file: serve takes defaults from them.
    IsolatedEnvironment.apply(pb).environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close(); // no terminal, no input: as under CI
    processes.add(p);
    errors.put(p, errors.remove(null));
    return p;
  }

  /** Reads stdout until the line with the URL. */
  private URI listeningUrl(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      int at = line.indexOf("listening on ");
      if (at >= 0) {
        return URI.create(line.substring(at + "listening on ".length()).trim());
      }
    }
    throw new AssertionError("serve never said where it listens; stderr: " + stderr(p));
  }

  private HttpResponse<String> post(URI base) {
    try {
      return http.send(
          HttpRequest.newBuilder(base.resolve("/chat"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(HELLO))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void should_count_requests_at_get_metrics_also_when_quiet() throws Exception {
    Process p = serveWithKeyOnFreePort("--quiet");
    URI base = listeningUrl(p);
    assertThat(post(base).statusCode()).isEqualTo(200);
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    var text = dev.novaproxy.testing.PrometheusText.parse(metrics.body());
    assertThat(
            text.value(
                "novaproxy_requests_total",
                Map.of("door", "serve", "route", "chat", "status", "200", "class", "2xx")))
        .isEqualTo(1);
    assertThat(metrics.body()).doesNotContain(KEY);
    assertThat(stderr(p)).as("--quiet: no request lines").doesNotContain("request_id");
  }

  @Test
  void should_print_one_json_line_with_the_url_and_take_settings_from_env_and_file()
      throws Exception {
    Path config = TempPaths.directory("serve-json").resolve("config.json");
    Files.writeString(config, "{\"port\": 0, \"maxTokensCap\": 7}");
    Process p =
        serve(
            Map.of(
                "NOVA_API_KEY",
                KEY,
                "NOVA_UPSTREAM_URL",
                nova.baseUrl().toString(),
                "NOVAPROXY_JAVA_OPTS",
                "-Dnovaproxy.config=" + config),
            "-o",
            "json");
    String first =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertThat(first).as("stderr: " + stderr(p)).isNotNull();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(first);
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly("event", "url", "chatUrl", "version");
    assertThat(json.get("event").asText()).isEqualTo("listening");
    URI base = URI.create(json.get("url").asText());
    assertThat(base.getPort())
        .as("port 0 from the file: a free port, not 8080")
        .isNotEqualTo(8080)
        .isPositive();
    assertThat(json.get("chatUrl").asText()).isEqualTo(base + "/chat");
    assertThat(post(base).statusCode()).isEqualTo(200);
    assertThat(new String(nova.requests().get(0).body(), StandardCharsets.UTF_8))
        .as("the file's maxTokensCap reached the policy")
        .contains("\"max_tokens\":7");
  }

  @Test
  void should_serve_with_the_key_from_the_environment_and_finish_requests_in_flight_on_sigterm()
      throws Exception {
    Process p = serveWithKeyOnFreePort();
    URI base = listeningUrl(p);
    assertThat(post(base).statusCode()).isEqualTo(200);

    // The key is in the environment only: never in the process list.
    Process ps = new ProcessBuilder("ps", "-eo", "args").start();
    String processList = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ps.waitFor();
    assertThat(processList).contains("serve").doesNotContain(KEY);

    nova.enqueue(Reply.slow(Duration.ofMillis(1500)));
    CompletableFuture<HttpResponse<String>> inFlight =
        CompletableFuture.supplyAsync(() -> post(base));
    // In flight: serve has sent it on, and Nova's answer is still 1.5 s away.
    nova.awaitChatRequests(2, Duration.ofSeconds(20));
    p.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs the shutdown hook
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143); // as documented in serve --help
    String log = stderr(p);
    assertThat(log).contains("\"status\":200").doesNotContain(KEY);
  }

  /** Runs the launcher with this environment and arguments; returns exit code and stdout. */
  private static String[] launch(Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("novaproxy.dist"), "novaproxy").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = IsolatedEnvironment.apply(new ProcessBuilder(command));
    pb.redirectErrorStream(true).environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String[] {Integer.toString(p.exitValue()), out};
  }

  @Test
  void should_let_only_clients_with_the_token_through_when_serve_requires_one() throws Exception {
    String[] made = launch(Map.of(), "token", "-o", "json");
    assertThat(made[0]).isEqualTo("0");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(made[1]);
    String token = json.path("token").asText();
    String hash = json.path("sha256").asText();
    assertThat(token).startsWith("npc_");
    assertThat(hash).isEqualTo(dev.novaproxy.proxy.ClientAuth.sha256Hex(token));

    Process p = serveWithKeyOnFreePort("--client-token-sha256", hash);
    URI base = listeningUrl(p);
    String[] without = launch(Map.of(), "chat", "--url", base.toString(), "-m", "hi");
    assertThat(without[0]).isEqualTo("1");
    assertThat(without[1]).contains("401").contains("client token");
    String[] with =
        launch(
            Map.of("NOVAPROXY_CLIENT_TOKEN", token), "chat", "--url", base.toString(), "-m", "hi");
    assertThat(with[0]).as(with[1]).isEqualTo("0");
    assertThat(with[1]).contains("echo: hi");
    String[] smoke =
        launch(
            Map.of("NOVAPROXY_CLIENT_TOKEN", token), "status", "--smoke", "--url", base.toString());
    assertThat(smoke[0]).as(smoke[1]).isEqualTo("0");
    assertThat(nova.chatRequests()).hasSize(2);
  }

  @Test
  void should_enforce_limits_and_take_keys_another_process_creates_while_it_runs()
      throws Exception {
    Path keys = TempPaths.directory("serve-keys").resolve("keys.json");
    Process p = serveWithKeyOnFreePort("--keys-file", keys.toString(), "--anonymous-rpm", "1");
    URI base = listeningUrl(p);
    assertThat(post(base).statusCode()).isEqualTo(200);
    HttpResponse<String> second = post(base);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.body()).contains("ip_rate_limited");
    assertThat(second.headers().firstValue("retry-after")).isPresent();

    // keys create, as another process would run it, while serve runs.
    String secret = dev.novaproxy.limits.ClientKey.newSecret();
    new dev.novaproxy.limits.LocalFileStore(keys)
        .createKey(
            new dev.novaproxy.limits.ClientKey(
                "ci",
                dev.novaproxy.limits.ClientKey.hashOf(secret),
                null,
                null,
                java.util.Set.of(),
                null,
                java.time.Instant.now(),
                null));
    HttpResponse<String> keyed =
        http.send(
            HttpRequest.newBuilder(base.resolve("/chat"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(200);
    assertThat(nova.chatRequests()).hasSize(2);
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-------");
    p.destroy();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(stderr(p))
        .contains("\"client\":\"key:ci\"")
        .doesNotContain(secret)
        .doesNotContain(dev.novaproxy.limits.ClientKey.hashOf(secret));
  }

  @Test
  void should_say_the_port_is_taken_in_one_line() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Process p =
          serve(Map.of("NOVA_API_KEY", KEY), "--port", Integer.toString(taken.getLocalPort()));
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String err = stderr(p);
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(err.strip().lines()).hasSize(1);
      assertThat(err).contains("--port").contains(Integer.toString(taken.getLocalPort()));
    }
  }

  @Test
  void should_ask_for_a_key_source_when_there_is_none_and_no_terminal() throws Exception {
    Process p = serve(Map.of(), "--port", "0");
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String err = stderr(p);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.strip().lines()).hasSize(1);
    assertThat(err).contains("NOVA_API_KEY").contains("--secret-name");
  }

  @Test
  void should_reject_bad_flags_with_exit_code_2() throws Exception {
    for (String[] args :
        List.of(
            new String[] {"--port", "eighty"},
            new String[] {"--upstream-url", "ftp://nova"},
            new String[] {"--allow-origin", "app.example.com/path"})) {
      Process p = serve(Map.of("NOVA_API_KEY", KEY), args);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String err = stderr(p);
      assertThat(p.exitValue()).as(String.join(" ", args) + ": " + err).isEqualTo(2);
      assertThat(err).startsWith("novaproxy: ");
    }
  }

  @Test
  void should_warn_once_when_the_key_goes_to_an_explicitly_allowed_host() throws Exception {
    String upstream = "https://nova.internal.example/v1";
    String warning =
        "warning: the Nova key will be sent to nova.internal.example, which is not the Nova API";
    Process byFlag =
        serve(
            Map.of("NOVA_API_KEY", KEY),
            "--port",
            "0",
            "--upstream-url",
            upstream,
            "--allow-upstream-host",
            "nova.internal.example");
    listeningUrl(byFlag);
    Process byEnv =
        serve(
            Map.of("NOVA_API_KEY", KEY, "NOVA_UPSTREAM_ALLOWED_HOSTS", "nova.internal.example"),
            "--port",
            "0",
            "--upstream-url",
            upstream);
    listeningUrl(byEnv);
    for (Process p : List.of(byFlag, byEnv)) {
      assertThat(stderr(p).lines().filter(l -> l.startsWith("warning:"))).containsExactly(warning);
    }
  }

  @Test
  void should_refuse_another_upstream_host_without_the_opt_in() throws Exception {
    Process p =
        serve(
            Map.of("NOVA_API_KEY", KEY),
            "--port",
            "0",
            "--upstream-url",
            "https://nova.internal.example/v1");
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(stderr(p).strip().lines())
        .singleElement()
        .asString()
        .contains("--allow-upstream-host");
  }

  @Test
  void launcher_should_work_through_a_symlink_from_another_directory() throws Exception {
    Path dir = TempPaths.directory("np-link");
    Path link = dir.resolve("novaproxy");
    Files.createSymbolicLink(
        link, Path.of(System.getProperty("novaproxy.dist"), "novaproxy").toAbsolutePath());
    Process p =
        IsolatedEnvironment.apply(new ProcessBuilder(link.toString(), "--version"))
            .directory(Path.of("/").toFile())
            .start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .startsWith("novaproxy ");
    assertThat(p.exitValue()).isZero();
  }

  /** Waits until the fake Nova has received this many chat requests. */
  private void awaitChatRequests(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (nova.chatRequests().size() < n) {
      assertThat(System.nanoTime()).as("Nova never got the request").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void should_say_in_one_line_when_it_starts_draining() throws Exception {
    Process p = serveWithKeyOnFreePort();
    URI base = listeningUrl(p);
    nova.enqueue(Reply.slow(Duration.ofSeconds(3)));
    CompletableFuture<HttpResponse<String>> inFlight =
        CompletableFuture.supplyAsync(() -> post(base));
    awaitChatRequests(1); // at Nova, so in flight in serve
    p.destroy();
    assertThat(inFlight.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(stderr(p).lines())
        .as(stderr(p))
        .containsOnlyOnce("draining: 1 request in flight, up to 30 s");

    Process json = serveWithKeyOnFreePort("-o", "json");
    new BufferedReader(new InputStreamReader(json.getInputStream(), StandardCharsets.UTF_8))
        .readLine(); // the listening line
    json.destroy();
    assertThat(json.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(stderr(json))
        .contains("{\"event\":\"draining\",\"inFlight\":0,\"graceSeconds\":30}");
  }

  @Test
  void should_name_the_port_in_use_and_how_to_pick_another() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Process p = serve(Map.of("NOVA_API_KEY", KEY), "--port", Integer.toString(port));
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(stderr(p))
          .isEqualTo("novaproxy: port " + port + " is in use; pick another with --port.\n");
    }
  }
}
