package dev.novaproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.Version;
import dev.novaproxy.testing.IsolatedEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release tarball 'mvn package' makes, unpacked somewhere else and run as a user would. */
class DistributionIT {
  @TempDir Path tmp;

  record Result(int exitCode, String out, String err) {}

  private static Path tarball() {
    Path dist = Path.of(System.getProperty("novaproxy.dist", "dist"));
    Path tar = dist.resolve("novaproxy-" + Version.current() + ".tar.gz");
    assertThat(tar).as("mvn package makes it").exists();
    return tar;
  }

  private Result run(Path cwd, String... command) throws Exception {
    ProcessBuilder pb =
        IsolatedEnvironment.apply(new ProcessBuilder(command), tmp.resolve("home"))
            .directory(cwd.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  @Test
  void should_unpack_and_run_from_anywhere() throws Exception {
    Result untar = run(tmp, "tar", "xzf", tarball().toAbsolutePath().toString());
    assertThat(untar.exitCode()).as(untar.toString()).isZero();
    Path home = tmp.resolve("novaproxy-" + Version.current());
    for (String file :
        List.of(
            "bin/novaproxy",
            "bin/novaproxy.cmd",
            "lib/novaproxy.jar",
            "lib/novaproxy-lambda.zip",
            "completions/novaproxy.bash",
            "completions/_novaproxy",
            "man/novaproxy.adoc",
            "man/novaproxy-serve.adoc")) {
      assertThat(home.resolve(file)).exists();
    }
    assertThat(Files.isExecutable(home.resolve("bin/novaproxy"))).isTrue();

    Path elsewhere = Files.createDirectories(tmp.resolve("work"));
    Result version = run(elsewhere, home.resolve("bin/novaproxy").toString(), "--version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("novaproxy " + Version.current() + " (commit ");
    assertThat(version.err()).isEmpty();

    Path link = Files.createSymbolicLink(tmp.resolve("np"), home.resolve("bin/novaproxy"));
    Result help = run(elsewhere, link.toString(), "serve", "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.out())
        .contains("Usage: novaproxy serve")
        .contains("Examples:")
        .contains("Exit codes:");

    Result completion = run(elsewhere, link.toString(), "completion", "bash");
    assertThat(completion.out())
        .isEqualTo(Files.readString(home.resolve("completions/novaproxy.bash")));
  }
}
