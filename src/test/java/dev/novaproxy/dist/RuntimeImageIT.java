package dev.novaproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.novaproxy.proxy.Version;
import dev.novaproxy.testing.FakeNovaH2;
import dev.novaproxy.testing.MotoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform tarball ({@code dist/novaproxy-VERSION-PLATFORM.tar.gz}), unpacked elsewhere and run
 * as on a machine without Java: no {@code java} on the PATH, no JAVA_HOME, nothing else in the
 * environment. The launcher must pick the runtime the tarball brings, and that runtime must hold
 * what the CLI uses: the local proxy's HTTP server, TLS with elliptic curves to an HTTP/2 upstream,
 * the AWS SDK (JSON and XML protocols) against moto.
 */
@ExtendWith(MotoServer.class)
class RuntimeImageIT {
  private static final String KEY = "nova-runtime-image-it-key-41c9";
  private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @TempDir static Path tmp;
  private static Path home;
  private static Path tarball;

  /** Only the tools the launcher script calls: the machine's java is not among them. */
  private static Path tools;

  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void unpack() throws Exception {
    String platform = System.getProperty("novaproxy.runtimePlatform", "none");
    assumeTrue(
        !platform.equals("none") && !Boolean.getBoolean("novaproxy.runtimeSkip"),
        "the build makes a platform tarball where a pom profile names the platform (Linux),"
            + " unless -Druntime.skip=true");
    String name = "novaproxy-" + Version.current() + "-" + platform;
    tarball = Path.of(System.getProperty("novaproxy.dist", "dist")).resolve(name + ".tar.gz");
    assertThat(tarball).as("mvn package makes it").exists();
    Process untar =
        new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString())
            .directory(tmp.toFile())
            .inheritIO()
            .start();
    assertThat(untar.waitFor()).isZero();
    home = tmp.resolve(name);
    tools = Files.createDirectories(tmp.resolve("tools"));
    for (String tool : List.of("sh", "ls", "sed", "dirname", "head")) {
      Path real =
          Stream.of("/usr/bin", "/bin")
              .map(d -> Path.of(d, tool))
              .filter(Files::isExecutable)
              .findFirst()
              .orElseThrow();
      Files.createSymbolicLink(tools.resolve(tool), real);
    }
  }

  /** The environment of a machine without Java, plus {@code extra}. */
  private static Map<String, String> bare(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", tools.toString());
    env.put("HOME", tmp.resolve("home").toString());
    env.putAll(extra);
    return env;
  }

  private static ProcessBuilder novaproxy(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/novaproxy").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    pb.environment().clear();
    pb.environment().putAll(bare(env));
    return pb;
  }

  private static Result run(Map<String, String> env, String stdin, String... args)
      throws Exception {
    Process p = novaproxy(env, args).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    var err = new java.util.concurrent.CompletableFuture<String>();
    new Thread(() -> err.complete(read(p.getErrorStream()))).start();
    String out = read(p.getInputStream());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Result r = new Result(p.exitValue(), out, err.get());
    assertThat(r.out() + r.err()).doesNotContain(KEY);
    return r;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, String> release() throws IOException {
    return Files.readAllLines(home.resolve("runtime/release")).stream()
        .filter(l -> l.contains("="))
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf('=')),
                l -> l.substring(l.indexOf('=') + 1).replace("\"", "")));
  }

  @Test
  void should_bring_a_runtime_with_the_modules_the_cli_uses_and_little_else() throws Exception {
    Set<String> modules = Set.of(release().get("MODULES").split(" "));
    assertThat(modules)
        .as("named at run time, invisible to jdeps: TLS curves, sun.misc.Signal")
        .contains("jdk.crypto.ec", "jdk.unsupported")
        .as("found by jdeps (src/assembly/runtime-image.sh), java.desktop left out")
        .contains("java.net.http", "java.sql", "java.naming", "java.management")
        .as("serve runs on Jetty: the JDK's HTTP server is not needed")
        .doesNotContain(
            "java.desktop", "jdk.httpserver", "jdk.compiler", "jdk.jshell", "jdk.jlink");
    for (String gone : List.of("include", "man", "jmods", "lib/src.zip")) {
      assertThat(home.resolve("runtime").resolve(gone)).doesNotExist();
    }
    long runtimeBytes;
    try (var files = Files.walk(home.resolve("runtime"))) {
      runtimeBytes = files.filter(Files::isRegularFile).mapToLong(RuntimeImageIT::size).sum();
    }
    System.out.printf(
        "FIGURES platform tarball %.1f MB; its runtime/ %.1f MB unpacked, %d modules%n",
        Files.size(tarball) / 1e6, runtimeBytes / 1e6, modules.size());
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void should_run_version_and_completion_with_no_java_installed() throws Exception {
    ProcessBuilder which =
        new ProcessBuilder("sh", "-c", "command -v java || echo none").redirectErrorStream(true);
    which.environment().clear();
    which.environment().putAll(bare(Map.of()));
    Process p = which.start();
    assertThat(read(p.getInputStream()).strip()).as("no java on this PATH").isEqualTo("none");

    Result version = run(Map.of(), null, "--version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.out())
        .startsWith("novaproxy " + Version.current() + " (commit ")
        .contains("Java " + release().get("JAVA_VERSION"));
    assertThat(version.err()).isEmpty();

    Result zsh = run(Map.of(), null, "completion", "zsh");
    assertThat(zsh.exitCode()).as(zsh.toString()).isZero();
    assertThat(zsh.out()).isEqualTo(Files.readString(home.resolve("completions/_novaproxy")));
  }

  @Test
  void should_serve_a_chat_over_tls_and_http2_to_nova_with_no_java_installed() throws Exception {
    try (FakeNovaH2 nova = FakeNovaH2.start(0)) {
      Path trust = nova.writeTrustStore(tmp.resolve("trust.p12"), "changeit");
      Map<String, String> env =
          Map.of(
              "NOVA_API_KEY",
              KEY,
              "NOVAPROXY_JAVA_OPTS",
              "-Djavax.net.ssl.trustStore="
                  + trust
                  + " -Djavax.net.ssl.trustStorePassword=changeit");
      Path err = tmp.resolve("serve.err");
      Process serve =
          novaproxy(env, "serve", "--port", "0", "--upstream-url", nova.baseUrl().toString())
              .redirectError(err.toFile())
              .start();
      try {
        serve.getOutputStream().close();
        URI url = listening(serve, err);
        HttpResponse<String> answer =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(url.resolve("/chat"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body() + Files.readString(err)).isEqualTo(200);
        assertThat(answer.body()).contains("over h2").doesNotContain(KEY);
        assertThat(nova.answered()).isEqualTo(1);
      } finally {
        serve.destroy();
        serve.waitFor(30, TimeUnit.SECONDS);
      }
      assertThat(Files.readString(err)).doesNotContain(KEY);
    }
  }

  private static URI listening(Process serve, Path err) throws IOException {
    var out =
        new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      int at = line.indexOf("listening on ");
      if (at >= 0) {
        return URI.create(line.substring(at + "listening on ".length()).trim());
      }
    }
    throw new AssertionError("serve never said where it listens: " + Files.readString(err));
  }

  @Test
  void should_store_the_key_and_plan_a_deployment_against_moto_with_no_java_installed()
      throws Exception {
    Map<String, String> aws =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            "testing",
            "AWS_SECRET_ACCESS_KEY",
            "testing",
            "AWS_REGION",
            MotoServer.REGION,
            "AWS_ENDPOINT_URL",
            MotoServer.endpoint().toString(),
            "AWS_EC2_METADATA_DISABLED",
            "true",
            "XDG_CONFIG_HOME",
            tmp.resolve("xdg").toString());
    Result setup = run(aws, KEY + "\n", "setup", "--api-key-stdin");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();

    // IAM speaks XML (the query protocol), Lambda and Secrets Manager JSON.
    Result plan = run(aws, null, "deploy", "--dry-run");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out() + plan.err()).contains("novaproxy-proxy");
  }
}
