package dev.novaproxy.cli;

import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST;
import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST;
import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER;
import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST;
import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST;
import static picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * One layout for every command's help, set up here rather than in each command's annotations:
 *
 * <ul>
 *   <li>the same sections and spacing everywhere: a header, the usage, the description (its lines
 *       joined into paragraphs), "Arguments:", "Options:", "Commands:", "Exit codes:", "Examples:";
 *   <li>as wide as the terminal (80 columns when there is none, at most {@value #MAX_AUTO_WIDTH}),
 *       wrapped at spaces only, with hanging indents, so no URL or word is ever cut in two;
 *   <li>options in one order: the command's own, then shared groups such as the policy flags, then
 *       the global options, then {@code --help} and {@code --version}.
 * </ul>
 *
 * Picocli renders each section unwrapped and {@link TextWrap} wraps it.
 */
final class HelpLayout {
  /** A wide terminal gets lines this long at most: longer ones are hard to read. */
  static final int MAX_AUTO_WIDTH = 100;

  /** Wide enough that picocli never wraps a line itself. */
  private static final int UNWRAPPED = 1000;

  private static final Set<String> TABLES =
      Set.of(
          SECTION_KEY_OPTION_LIST,
          SECTION_KEY_PARAMETER_LIST,
          SECTION_KEY_COMMAND_LIST,
          SECTION_KEY_EXIT_CODE_LIST);

  /** Applies the layout to this command and all of its subcommands. */
  static void applyTo(CommandLine cl) {
    UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
    usage
        .autoWidth(true)
        .description(paragraphs(usage.description()))
        .descriptionHeading("%n")
        .parameterListHeading("%nArguments:%n")
        .optionListHeading("%nOptions:%n")
        .commandListHeading("%nCommands:%n");
    Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(cl.getHelpSectionMap());
    sections.put(SECTION_KEY_OPTION_LIST, HelpLayout::optionList);
    sections.replaceAll((key, section) -> wrapped(key, section));
    cl.setHelpSectionMap(sections);
    cl.getSubcommands().values().forEach(HelpLayout::applyTo);
  }

  private static IHelpSectionRenderer wrapped(String key, IHelpSectionRenderer section) {
    return help -> {
      UsageMessageSpec usage = help.commandSpec().usageMessage();
      int width =
          usage.autoWidth() && System.getProperty("picocli.usage.width") == null
              ? Math.min(usage.width(), MAX_AUTO_WIDTH)
              : usage.width();
      boolean auto = usage.autoWidth();
      String text;
      try {
        usage.autoWidth(false).width(UNWRAPPED);
        text = section.render(help);
      } finally {
        usage.width(width).autoWidth(auto);
      }
      if (key.equals(SECTION_KEY_SYNOPSIS)) {
        int heading = lastLineLength(help.synopsisHeading());
        String command = help.commandSpec().qualifiedName();
        return TextWrap.wrap(text, width, heading, line -> heading + command.length() + 1);
      }
      return TextWrap.wrap(text, width, 0, indentFor(key, text));
    };
  }

  private static ToIntFunction<String> indentFor(String key, String text) {
    if (TABLES.contains(key)) {
      return TextWrap.tableCells(text);
    }
    if (key.equals(SECTION_KEY_FOOTER)) {
      return TextWrap::exampleComment;
    }
    return TextWrap::sameIndent;
  }

  private static int lastLineLength(String heading) {
    String plain = TextWrap.plain(heading);
    return plain.length() - (plain.lastIndexOf('\n') + 1);
  }

  /**
   * A description's lines joined into paragraphs, which the layout wraps: an empty line separates
   * paragraphs, and none is left at the end (the headings space the sections).
   */
  static String[] paragraphs(String[] lines) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank()) {
        if (paragraph.length() > 0) {
          paragraphs.add(paragraph.toString());
          paragraph.setLength(0);
        }
        continue;
      }
      if (paragraph.length() > 0) {
        paragraph.append(' ');
      } else if (!paragraphs.isEmpty()) {
        paragraphs.add("");
      }
      paragraph.append(line.strip());
    }
    if (paragraph.length() > 0) {
      paragraphs.add(paragraph.toString());
    }
    return paragraphs.toArray(String[]::new);
  }

  /** The options in the one order every command uses (see the class comment). */
  private static String optionList(Help help) {
    return help.optionListExcludingGroups(
        ordered(help.commandSpec()),
        help.createDefaultLayout(),
        null,
        help.parameterLabelRenderer());
  }

  static List<OptionSpec> ordered(CommandSpec spec) {
    Set<OptionSpec> fromMixins = Collections.newSetFromMap(new IdentityHashMap<>());
    List<OptionSpec> groups = new ArrayList<>();
    List<OptionSpec> global = new ArrayList<>();
    for (CommandSpec mixin : spec.mixins().values()) {
      fromMixins.addAll(mixin.options());
      (mixin.userObject() instanceof GlobalOptions ? global : groups).addAll(mixin.options());
    }
    List<OptionSpec> own = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!fromMixins.contains(o)) {
        own.add(o);
      }
    }
    List<OptionSpec> order = new ArrayList<>();
    for (List<OptionSpec> part : List.of(own, groups, global)) {
      part.stream().filter(o -> !isHelp(o)).forEach(order::add);
    }
    spec.options().stream().filter(HelpLayout::isHelp).forEach(order::add);
    order.removeIf(OptionSpec::hidden);
    return order;
  }

  private static boolean isHelp(OptionSpec o) {
    return o.usageHelp() || o.versionHelp();
  }

  private HelpLayout() {}
}
