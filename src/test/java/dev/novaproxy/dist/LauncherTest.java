package dev.novaproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script {@code dist/novaproxy} finding Java: with a PATH that holds a fake {@code
 * java} of a chosen version, or none at all. The fake prints its arguments, so the test also sees
 * which jar the launcher would run, from another directory and through a symlink.
 */
class LauncherTest {
  @TempDir Path tmp;
  private Path home;
  private Path tools;

  record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void install() throws IOException {
    home = tmp.resolve("novaproxy");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib"));
    Files.copy(Path.of("dist", "novaproxy"), home.resolve("bin/novaproxy"));
    home.resolve("bin/novaproxy").toFile().setExecutable(true);
    Files.writeString(
        home.resolve("lib/novaproxy.jar"), "not a real jar: the fake java never opens it");
    // The few tools the script uses, without whatever java the machine has.
    tools = tmp.resolve("tools");
    Files.createDirectories(tools);
    for (String tool : List.of("sh", "ls", "sed", "dirname", "head")) {
      Path real = which(tool);
      Files.createSymbolicLink(tools.resolve(tool), real);
    }
  }

  private static Path which(String tool) {
    for (String dir : List.of("/usr/bin", "/bin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no " + tool + " on this machine");
  }

  /** A directory holding a fake java that reports {@code version} and echoes its arguments. */
  private Path fakeJava(String version) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("java-" + version));
    Path java = dir.resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "if [ \"$1\" = -version ]; then echo 'openjdk version \""
            + version
            + "\" 2024-01-16' >&2; exit 0; fi\n"
            + "echo \"ran: $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  private Result launch(Path script, Path cwd, String path, String... args) throws Exception {
    return launch(script, cwd, path, Map.of(), args);
  }

  private Result launch(Path script, Path cwd, String path, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("PATH", path);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  @Test
  void should_say_it_needs_java_17_when_there_is_no_java() throws Exception {
    Result r = launch(home.resolve("bin/novaproxy"), tmp, tools.toString(), "--version");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("novaproxy: needs Java 17 or newer; install it or set JAVA_HOME.");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void should_refuse_java_11_and_java_8_naming_the_version() throws Exception {
    Result eleven =
        launch(home.resolve("bin/novaproxy"), tmp, fakeJava("11.0.22") + ":" + tools, "--version");
    assertThat(eleven.exitCode()).as(eleven.toString()).isEqualTo(1);
    assertThat(eleven.err())
        .contains("needs Java 17 or newer")
        .contains("is Java 11")
        .contains("JAVA_HOME");
    assertThat(eleven.out()).doesNotContain("ran:");

    Result eight =
        launch(
            home.resolve("bin/novaproxy"), tmp, fakeJava("1.8.0_392") + ":" + tools, "--version");
    assertThat(eight.exitCode()).as(eight.toString()).isEqualTo(1);
    assertThat(eight.err()).contains("is Java 8");
  }

  @Test
  void should_prefer_the_bundled_runtime_to_java_home_and_path_without_asking_its_version()
      throws Exception {
    Path java = Files.createDirectories(home.resolve("runtime/bin")).resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "if [ \"$1\" = -version ]; then echo 'asked the bundled java its version' >&2; fi\n"
            + "echo \"bundled ran: $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path link = Files.createSymbolicLink(tmp.resolve("np"), home.resolve("bin/novaproxy"));
    Path eleven = fakeJava("11.0.22");

    Result r =
        launch(link, tmp, eleven + ":" + tools, Map.of("JAVA_HOME", eleven.toString()), "-V");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .startsWith("bundled ran: ")
        .contains("-jar " + home.toRealPath().resolve("lib/novaproxy.jar"))
        .endsWith(" -V\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void should_run_the_jar_beside_it_from_any_directory_and_through_a_symlink() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("somewhere/else"));
    Path link =
        Files.createSymbolicLink(tmp.resolve("somewhere/np"), home.resolve("bin/novaproxy"));
    Result r = launch(link, elsewhere, fakeJava("21.0.2") + ":" + tools, "status", "--smoke");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("-jar " + home.toRealPath().resolve("lib/novaproxy.jar"))
        .endsWith("status --smoke\n");
  }

  @Test
  void should_give_serve_a_server_jvm_and_the_other_commands_a_quick_start() throws Exception {
    String java = fakeJava("17.0.15") + ":" + tools;
    Result serve = launch(home.resolve("bin/novaproxy"), tmp, java, "serve", "--port", "0");
    assertThat(serve.exitCode()).as(serve.toString()).isZero();
    assertThat(serve.out())
        .contains("ran: -Xmx768m ")
        .doesNotContain("TieredStopAtLevel")
        .doesNotContain("UseSerialGC");
    Result chat = launch(home.resolve("bin/novaproxy"), tmp, java, "chat", "--help");
    assertThat(chat.out())
        .contains("-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .doesNotContain("-Xmx");
  }
}
