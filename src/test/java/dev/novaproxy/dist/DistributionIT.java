package dev.novaproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.novaproxy.proxy.Version;
import dev.novaproxy.testing.CommandTree;
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
    return finish(
        IsolatedEnvironment.apply(new ProcessBuilder(command), tmp.resolve("home"))
            .directory(cwd.toFile()));
  }

  /** Starts {@code pb} with no input and waits for it. */
  private static Result finish(ProcessBuilder pb) throws Exception {
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
            "man/man1/novaproxy.1",
            "man/man1/novaproxy-serve.1",
            "README.md",
            "docs/aws.md")) {
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
    Result zsh = run(elsewhere, link.toString(), "completion", "zsh");
    assertThat(zsh.out()).isEqualTo(Files.readString(home.resolve("completions/_novaproxy")));
  }

  /**
   * man/man1 holds a roff page for every command that man-db renders without a warning, naming
   * every option; and a MANPATH holding man/ is how man finds them (docs/install.md's advice).
   */
  @Test
  void should_ship_a_man_page_per_command_that_man_renders_with_its_options() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/man"))
            && Files.isExecutable(Path.of("/usr/bin/groff")),
        "needs man-db and groff (Debian: man-db, groff-base; .ci/run installs them)");
    run(tmp, "tar", "xzf", tarball().toAbsolutePath().toString());
    Path man = tmp.resolve("novaproxy-" + Version.current()).resolve("man");
    var commands = CommandTree.all();
    try (var pages = Files.list(man.resolve("man1"))) {
      assertThat(pages.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(
              commands.stream().map(cl -> CommandTree.manPage(cl) + ".1").toList());
    }
    for (var cl : commands) {
      String page = CommandTree.manPage(cl);
      Path file = man.resolve("man1/" + page + ".1");
      Result rendered = man(tmp, "man", "--warnings=w", "-l", file.toString());
      assertThat(rendered.exitCode()).as(rendered.toString()).isZero();
      assertThat(rendered.err()).as(page + ": groff's warnings").isEmpty();
      String text = rendered.out();
      assertThat(text).as(page).startsWith(page.toUpperCase(java.util.Locale.ROOT) + "(1)");
      assertThat(text).as(page).contains(cl.getCommandSpec().usageMessage().header()[0]);
      for (var option : cl.getCommandSpec().options()) {
        assertThat(text).as(page).contains(option.longestName());
      }
      assertThat(text).as(page).containsIgnoringCase("Exit codes:");
    }
    Result found = man(tmp, "man", "-w", "novaproxy-deploy");
    assertThat(found.out().strip()).isEqualTo(man.resolve("man1/novaproxy-deploy.1").toString());
  }

  /** man with MANPATH naming only the tarball's man/, plain ASCII, 120 columns, no pager. */
  private Result man(Path cwd, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    var env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/bin:/bin");
    env.put("LC_ALL", "C");
    env.put("MANWIDTH", "120");
    env.put("MANPATH", tmp.resolve("novaproxy-" + Version.current()).resolve("man").toString());
    return finish(pb);
  }
}
