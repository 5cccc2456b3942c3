package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.Version;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.CommandTree;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help teaches: a summary, a description, examples and its exit codes. */
class HelpTest {
  @Test
  void should_give_every_command_a_summary_description_examples_and_exit_codes() {
    List<CommandLine> commands = CommandTree.all();
    assertThat(commands).hasSizeGreaterThanOrEqualTo(12);
    for (CommandLine cl : commands) {
      var usage = cl.getCommandSpec().usageMessage();
      String name = cl.getCommandSpec().qualifiedName();
      assertThat(usage.header()).as(name + " header").isNotEmpty();
      assertThat(usage.header()[0]).as(name + " header").isNotBlank().doesNotContain("\n");
      assertThat(String.join("", usage.description())).as(name + " description").isNotBlank();
      assertThat(usage.footerHeading()).as(name + " examples").contains("Examples");
      assertThat(String.join("\n", usage.footer())).as(name + " examples").contains("novaproxy");
      assertThat(usage.exitCodeList()).as(name + " exit codes").containsKey("0").containsKey("2");
    }
  }

  @Test
  void should_print_help_with_exit_code_zero_for_each_command() {
    for (CommandLine cl : CommandTree.all()) {
      List<String> args = new ArrayList<>(List.of(cl.getCommandSpec().qualifiedName().split(" ")));
      args.remove(0);
      args.add("--help");
      CliRun r = CliRun.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out())
          .as(args.toString())
          .contains("Usage:")
          .contains("Examples:")
          .contains("Exit codes:");
    }
  }

  @Test
  void should_render_a_man_page_for_every_command(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    GenerateDocs.main(
        new String[] {dir.resolve("completions").toString(), dir.resolve("man").toString()});
    for (CommandLine cl : CommandTree.all()) {
      var adoc = dir.resolve("man").resolve(CommandTree.manPage(cl) + ".adoc");
      assertThat(adoc).exists();
      assertThat(java.nio.file.Files.readString(adoc))
          .contains("Exit codes:")
          .contains("Examples:");
    }
  }

  @Test
  void should_print_the_version_and_the_commit() {
    CliRun r = CliRun.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .startsWith("novaproxy " + Version.current() + " (commit " + Version.commit() + ")");
    // Built from this git checkout by Maven, so a real commit, not the fallback.
    boolean inGit = java.nio.file.Files.exists(java.nio.file.Path.of(".git"));
    assertThat(Version.commit()).matches(inGit ? "[0-9a-f]{12}" : "[0-9a-f]{12}|unknown");
    assertThat(Version.current()).isNotEqualTo("unknown");
  }

  @Test
  void should_print_the_version_from_every_command() {
    for (String[] args :
        List.of(new String[] {"serve", "-V"}, new String[] {"config", "show", "--version"})) {
      CliRun r = CliRun.run(args);
      assertThat(r.exitCode()).isZero();
      assertThat(r.out())
          .as(r.toString())
          .startsWith("novaproxy " + Version.current() + " (commit ");
    }
  }

  @Test
  void should_list_the_new_commands_in_the_top_help() {
    CliRun r = CliRun.run("--help");
    assertThat(r.out())
        .contains("config")
        .contains("completion")
        .contains("Show or change the saved settings.");
  }

  /** The help as a terminal this wide shows it, without colours. */
  private static String help(CommandLine cl, int width) {
    cl.getCommandSpec().usageMessage().autoWidth(false).width(width);
    return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  private static List<String> words(String text) {
    return List.of(text.strip().split("\\s+"));
  }

  @Test
  void should_wrap_help_at_80_columns_between_words_never_inside_a_word_or_url() {
    for (CommandLine cl : CommandTree.all()) {
      String name = cl.getCommandSpec().qualifiedName();
      String narrow = help(cl, 80);
      String unwrapped = help(cl, 1000);
      assertThat(narrow.lines())
          .as(name + ": lines over 80 columns")
          .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
      // Wrapping only ever turns a space into a line break: the same words, none cut in two.
      assertThat(words(narrow)).as(name).isEqualTo(words(unwrapped));
    }
  }

  @Test
  void should_indent_every_example_and_its_continuation() {
    for (CommandLine cl : CommandTree.all()) {
      String narrow = help(cl, 80);
      String examples = narrow.substring(narrow.indexOf("Examples:") + "Examples:".length());
      assertThat(examples.lines().filter(line -> !line.isBlank()))
          .as(cl.getCommandSpec().qualifiedName())
          .allSatisfy(line -> assertThat(line).startsWith("  "));
    }
  }

  /** 0: the command's own, 1: a shared group (the policy), 2: the global options, 3: help. */
  private static int rank(CommandLine cl, String option) {
    var spec = cl.getCommandSpec();
    var o = spec.findOption(option);
    if (o.usageHelp() || o.versionHelp()) {
      return 3;
    }
    for (var mixin : spec.mixins().values()) {
      if (mixin.options().contains(o)) {
        return mixin.userObject() instanceof GlobalOptions ? 2 : 1;
      }
    }
    return 0;
  }

  @Test
  void should_list_options_in_one_order_in_every_command() {
    var option = java.util.regex.Pattern.compile("^\\s+(?:-\\w, )?(--[\\w-]+)");
    for (CommandLine cl : CommandTree.all()) {
      String name = cl.getCommandSpec().qualifiedName();
      List<Integer> ranks = new ArrayList<>();
      String narrow = help(cl, 80);
      String options = narrow.substring(narrow.indexOf("Options:"));
      for (String line : options.lines().toList()) {
        var m = option.matcher(line);
        if (m.find()) {
          ranks.add(rank(cl, m.group(1)));
        }
      }
      assertThat(ranks).as(name + " " + ranks).isSorted();
      assertThat(ranks).as(name).isNotEmpty().endsWith(3, 3);
    }
  }

  @Test
  void should_print_a_commands_help_with_the_help_command() {
    for (String[] command :
        List.of(new String[] {"deploy"}, new String[] {"config", "set"}, new String[0])) {
      List<String> args = new ArrayList<>(List.of("help"));
      args.addAll(List.of(command));
      CliRun viaHelp = CliRun.run(args.toArray(String[]::new));
      assertThat(viaHelp.exitCode()).as(viaHelp.toString()).isZero();
      List<String> flag = new ArrayList<>(List.of(command));
      flag.add("--help");
      assertThat(viaHelp.out()).isEqualTo(CliRun.run(flag.toArray(String[]::new)).out());
    }
    CliRun unknown = CliRun.run("help", "deplyo");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("Unknown command 'deplyo'").contains("deploy");
  }
}
