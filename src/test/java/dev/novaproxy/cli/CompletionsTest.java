package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The checked-in completion scripts match the command model, and bash really completes with them.
 */
class CompletionsTest {
  private static final Path DIR = Path.of("completions");

  @Test
  void should_match_the_checked_in_scripts_regenerate_with_mvn_package_when_this_fails()
      throws IOException {
    assertThat(Files.readString(DIR.resolve("novaproxy.bash")))
        .as("completions/novaproxy.bash is stale: run 'mvn -o package -DskipTests' and commit it")
        .isEqualTo(Completions.bash());
    assertThat(Files.readString(DIR.resolve("_novaproxy")))
        .as("completions/_novaproxy is stale: run 'mvn -o package -DskipTests' and commit it")
        .isEqualTo(Completions.zsh());
  }

  @Test
  void should_list_every_command_and_option() {
    String script = Completions.bash();
    var root =
        Main.commandLine(
            new java.io.PrintWriter(java.io.Writer.nullWriter()),
            new java.io.PrintWriter(java.io.Writer.nullWriter()));
    for (var sub : root.getSubcommands().values()) {
      assertThat(script).contains(sub.getCommandName());
      for (var option : sub.getCommandSpec().options()) {
        assertThat(script).as(sub.getCommandName()).contains(option.longestName());
      }
    }
  }

  @Test
  void should_print_the_scripts() {
    CliRun bash = CliRun.run("completion", "bash");
    assertThat(bash.exitCode()).as(bash.toString()).isZero();
    assertThat(bash.out()).isEqualTo(Completions.bash());
    assertThat(CliRun.run("completion", "zsh").out()).isEqualTo(Completions.zsh());
    CliRun fish = CliRun.run("completion", "fish");
    assertThat(fish.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(fish.err()).contains("bash, zsh");
  }

  @Test
  void should_complete_commands_options_and_values_in_bash() throws Exception {
    assertThat(complete("novaproxy", "con")).containsExactly("config");
    assertThat(complete("novaproxy", "serve", "--po")).containsExactly("--port");
    assertThat(complete("novaproxy", "completion", "")).contains("bash", "zsh");
    assertThat(complete("novaproxy", "deploy", "--arch", "")).contains("arm64", "x86_64");
    assertThat(complete("novaproxy", "config", "")).contains("show", "set", "unset", "path");
  }

  /** Sources the checked-in script in a real bash and asks its completion function. */
  private static List<String> complete(String... words) throws Exception {
    String array =
        String.join(" ", java.util.Arrays.stream(words).map(w -> "'" + w + "'").toList());
    String line = String.join(" ", words);
    String script =
        "source completions/novaproxy.bash\n"
            // compopt only works inside a real TAB press; here it would only print a warning.
            + "compopt() { :; }\n"
            + "COMP_WORDS=("
            + array
            + "); COMP_CWORD="
            + (words.length - 1)
            + "; COMP_LINE='"
            + line
            + "'; COMP_POINT=${#COMP_LINE}\n"
            + "_complete_novaproxy novaproxy\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
