package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.CommandTree;
import dev.novaproxy.testing.TerminalScreen;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The zsh completion: it names every command and option of the model, and a real interactive zsh on
 * a pseudo-terminal (util-linux {@code script}) completes with the checked-in {@code
 * completions/_novaproxy} as a user sees it: TAB pressed, the line changed, the list shown.
 */
class ZshCompletionTest {
  private static final Path COMPLETIONS = Path.of("completions").toAbsolutePath();

  /**
   * After each TAB the test presses Ctrl-X d, which prints the line between these and clears it.
   */
  private static final String LINE_START = "LINE<";

  private static final String LINE_END = ">ENDLINE";

  @TempDir Path dir;
  private Process zsh;
  private TerminalScreen screen;
  private OutputStream keys;
  private int lines;

  @AfterEach
  void stop() {
    if (zsh != null) {
      zsh.destroyForcibly();
    }
  }

  /** What one TAB did: the command line after it, and what zsh listed below it. */
  record Completion(String line, String listed) {}

  @Test
  void should_name_every_command_and_option_with_its_description() {
    String script = Completions.zsh();
    assertThat(script).startsWith("#compdef novaproxy\n");
    for (CommandLine cl : CommandTree.all()) {
      var spec = cl.getCommandSpec();
      if (cl.getParent() != null) {
        assertThat(script)
            .as(spec.qualifiedName())
            .contains(
                "'"
                    + cl.getCommandName()
                    + ":"
                    + spec.usageMessage().header()[0].replace("'", "'\\''"));
      }
      for (var option : spec.options()) {
        for (String name : option.names()) {
          assertThat(script).as(spec.qualifiedName()).contains(name);
        }
        String firstWords = String.join(" ", option.description()).split("[\\[\\]'$]")[0];
        assertThat(script).as(option.longestName()).contains("[" + firstWords);
      }
    }
  }

  @Test
  void should_complete_commands_options_and_choices_in_zsh_from_fpath() throws Exception {
    startZsh(
        "fpath=(" + COMPLETIONS + " $fpath)\nautoload -Uz compinit && compinit -u -d " + dump());
    completeAsAUserSees();
  }

  @Test
  void should_complete_when_sourced_after_compinit_as_completion_zsh_prints_it() throws Exception {
    Path printed = dir.resolve("printed");
    CliRun run = CliRun.run("completion", "zsh");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Files.writeString(printed, run.out());
    startZsh(
        "autoload -Uz compinit && compinit -u -d "
            + dump()
            + "\nsource "
            + printed.toAbsolutePath());
    assertThat(tab("novaproxy dep").line()).isEqualTo("novaproxy deploy ");
    assertThat(tab("novaproxy deploy --arch ").listed()).contains("arm64", "x86_64");
  }

  private void completeAsAUserSees() throws Exception {
    var root = CommandTree.all().get(0);
    var deploy = root.getSubcommands().get("deploy").getCommandSpec();

    assertThat(tab("novaproxy dep").line()).isEqualTo("novaproxy deploy ");

    // Two commands start with "de": both listed with their summaries, the line left as typed.
    Completion de = tab("novaproxy de");
    assertThat(de.line()).isEqualTo("novaproxy de");
    assertThat(de.listed())
        .containsPattern("deploy +-- " + quoted(deploy.usageMessage().header()[0]))
        .contains("destroy")
        .doesNotContain("serve");

    assertThat(tab("novaproxy deploy --arc").line()).isEqualTo("novaproxy deploy --arch=");

    Completion arch = tab("novaproxy deploy --arch ");
    assertThat(arch.line()).isEqualTo("novaproxy deploy --arch ");
    assertThat(arch.listed()).containsPattern("arm64 +x86_64");

    // Options with their descriptions, the command's own and the global ones.
    Completion options = tab("novaproxy deploy --");
    for (String name : List.of("--dry-run", "--memory", "--region")) {
      String description = String.join(" ", deploy.findOption(name).description());
      assertThat(options.listed())
          .containsPattern(name + " +-- " + quoted(description.substring(0, 30)));
    }

    assertThat(tab("novaproxy config se").line()).isEqualTo("novaproxy config set ");
    assertThat(tab("novaproxy completion ").listed()).containsPattern("bash +zsh");
    assertThat(tab("novaproxy help dep").line()).isEqualTo("novaproxy help deploy ");
    assertThat(tab("novaproxy serve -o ").listed()).containsPattern("json +text");
    assertThat(tab("novaproxy deploy --dry-run --no-s").listed())
        .contains("--no-snapstart", "--no-stream-url");
  }

  private Path dump() {
    return dir.resolve("zcompdump").toAbsolutePath();
  }

  /** An interactive zsh on a pseudo-terminal, 200 columns wide, with {@code setup} in its rc. */
  private void startZsh(String setup) throws IOException, InterruptedException {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/script")),
        "needs util-linux script for a pseudo-terminal");
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
        "needs zsh (Debian: apt-get install zsh; .ci/run installs it)");
    Files.writeString(
        dir.resolve(".zshrc"),
        setup
            + "\n"
            + "zstyle ':completion:*:descriptions' format 'GROUP<%d>'\n"
            + "LISTMAX=1000\n"
            + "PS1='READY> '\n"
            + "show-line() { zle -I; print -r -- \""
            + LINE_START
            + "$BUFFER"
            + LINE_END
            + "\"; BUFFER='' }\n"
            + "zle -N show-line\n"
            + "bindkey '^Xd' show-line\n");
    ProcessBuilder pb =
        new ProcessBuilder(
                "/usr/bin/script", "-qfec", "stty cols 200 rows 100; exec zsh -i", "/dev/null")
            .redirectErrorStream(true);
    pb.environment().put("ZDOTDIR", dir.toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("TERM", "dumb");
    zsh = pb.start();
    screen = new TerminalScreen(zsh.getInputStream());
    keys = zsh.getOutputStream();
    screen.await("READY> ", 1);
  }

  /** Types {@code typed}, presses TAB, and reads back the line and what zsh listed. */
  private Completion tab(String typed) throws IOException, InterruptedException {
    int before = plain(screen.text()).length();
    type(typed + "\t\u0018d");
    lines++;
    screen.await(LINE_END, lines);
    String shown = plain(screen.text());
    int start = shown.lastIndexOf(LINE_START);
    String line = shown.substring(start + LINE_START.length(), shown.lastIndexOf(LINE_END));
    return new Completion(line, shown.substring(Math.min(before, start), start));
  }

  private void type(String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  /** The screen's text without the terminal's control sequences and carriage returns. */
  private static String plain(String text) {
    return text.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
  }

  private static String quoted(String text) {
    return java.util.regex.Pattern.quote(text);
  }
}
