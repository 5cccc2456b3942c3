package dev.novaproxy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A native zsh completion function ({@code _novaproxy}) written from the command model: one
 * function per command, {@code _arguments} specs with every option's description, its value's
 * choices (the enum values picocli knows) or files, and the subcommands listed with their
 * summaries. picocli only writes bash scripts; zsh's own completion system shows descriptions and
 * groups, which bash's cannot.
 */
final class ZshCompletion {
  private static final String HEADER =
      """
      #compdef %1$s
      # zsh completion for %1$s, generated from its command model; do not edit.
      # Install: save it as _%1$s in a directory on $fpath, before compinit runs, e.g.
      #   mkdir -p ~/.zfunc && %1$s completion zsh > ~/.zfunc/_%1$s
      #   and in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit && compinit
      # or, after compinit: source <(%1$s completion zsh)

      """;

  /**
   * Autoloaded from $fpath, the file's body runs as _novaproxy: it defines the functions, then
   * completes. Sourced, it registers the function instead.
   */
  private static final String FOOTER =
      """
      if [ "$funcstack[1]" = "_%1$s" ]; then
        _%1$s "$@"
      else
        compdef _%1$s %1$s
      fi
      """;

  private ZshCompletion() {}

  static String script(CommandLine root) {
    String name = root.getCommandName();
    var out = new StringBuilder(HEADER.formatted(name));
    function(root, "_" + name, out);
    out.append(FOOTER.formatted(name));
    return out.toString();
  }

  /** The function completing {@code command}'s words, then those of its subcommands. */
  private static void function(CommandLine command, String function, StringBuilder out) {
    List<CommandLine> subs = visibleSubcommands(command);
    out.append(function).append("() {\n");
    if (subs.isEmpty()) {
      out.append("  _arguments -s -S");
      specs(command).forEach(spec -> out.append(" \\\n    ").append(spec));
      out.append("\n}\n\n");
      return;
    }
    out.append("  local curcontext=\"$curcontext\" state state_descr line ret=1\n");
    out.append("  typeset -A opt_args\n");
    out.append("  _arguments -C -s -S");
    specs(command).forEach(spec -> out.append(" \\\n    ").append(spec));
    out.append(" \\\n    '1: :->command' \\\n    '*:: :->argument' && ret=0\n");
    out.append("  case $state in\n");
    out.append("    command)\n      local -a commands=(\n");
    for (CommandLine sub : subs) {
      out.append("        ")
          .append(quote(sub.getCommandName().replace(":", "\\:") + ":" + summary(sub)))
          .append('\n');
    }
    String qualified = command.getCommandSpec().qualifiedName();
    out.append("      )\n      _describe -t commands ")
        .append(quote(qualified + " command"))
        .append(" commands && ret=0\n      ;;\n");
    out.append("    argument)\n");
    out.append("      curcontext=\"${curcontext%:*:*}:")
        .append(qualified.replace(' ', '-'))
        .append("-$words[1]:\"\n");
    out.append("      case $words[1] in\n");
    for (CommandLine sub : subs) {
      out.append("        (")
          .append(String.join("|", sub.getCommandSpec().names()))
          .append(") ")
          .append(function(function, sub))
          .append(" && ret=0 ;;\n");
    }
    out.append("      esac\n      ;;\n  esac\n  return ret\n}\n\n");
    for (CommandLine sub : subs) {
      function(sub, function(function, sub), out);
    }
  }

  private static String function(String parent, CommandLine sub) {
    return parent + "_" + sub.getCommandName().replaceAll("[^A-Za-z0-9]", "_");
  }

  private static List<CommandLine> visibleSubcommands(CommandLine command) {
    return command.getSubcommands().values().stream()
        .filter(sub -> !sub.getCommandSpec().usageMessage().hidden())
        .distinct()
        .toList();
  }

  /** The {@code _arguments} specs: every visible option, then the positional parameters. */
  private static List<String> specs(CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    List<String> specs = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (!option.hidden()) {
        specs.add(option(option));
      }
    }
    for (PositionalParamSpec param : spec.positionalParameters()) {
      if (!param.hidden()) {
        specs.add(positional(command, param));
      }
    }
    return specs;
  }

  private static String option(OptionSpec option) {
    List<String> names = new ArrayList<>(List.of(option.names()));
    if (option.negatable()) {
      var negate = option.command().negatableOptionTransformer();
      names.addAll(names.stream().map(n -> negate.makeNegative(n, option.command())).toList());
    }
    boolean flag = option.arity().max() == 0;
    String description = "[" + bracketed(description(option)) + "]";
    String value = flag ? "" : ":" + message(option.paramLabel()) + ":" + action(option);
    // -o takes its value as -ojson or -o json; --output as --output=json or --output json.
    List<String> forms =
        names.stream().map(n -> flag ? n : n + (n.startsWith("--") ? "=" : "+")).toList();
    String exclusions;
    if (option.usageHelp() || option.versionHelp()) {
      exclusions = "(- *)"; // help and version end the command line
    } else if (option.isMultiValue()) {
      exclusions = "*"; // repeatable
    } else if (names.size() > 1) {
      exclusions = "(" + String.join(" ", names) + ")";
    } else {
      exclusions = "";
    }
    if (forms.size() == 1) {
      return quote(exclusions + forms.get(0) + description + value);
    }
    // One spec per name, written the way zsh completions usually are: '(-o
    // --output)'{-o+,--output=}'[...]'
    return (exclusions.isEmpty() ? "" : quote(exclusions))
        + "{"
        + String.join(",", forms)
        + "}"
        + quote(description + value);
  }

  private static String positional(CommandLine command, PositionalParamSpec param) {
    String action;
    if (command.getCommandSpec().helpCommand() && command.getParent() != null) {
      // help's COMMAND: the names of its siblings.
      action =
          choices(
              visibleSubcommands(command.getParent()).stream()
                  .map(CommandLine::getCommandName)
                  .toList());
    } else {
      action = action(param);
    }
    String position = param.isMultiValue() ? "*" : String.valueOf(param.index().min() + 1);
    String optional = !param.isMultiValue() && param.arity().min() == 0 ? ":" : "";
    return quote(position + ":" + optional + message(param.paramLabel()) + ":" + action);
  }

  /** What zsh offers for a value: the choices, files, or nothing it could guess. */
  private static String action(ArgSpec arg) {
    if (arg.completionCandidates() != null) {
      return choices(candidates(arg));
    }
    Class<?> type = arg.type();
    if (type == java.nio.file.Path.class || type == java.io.File.class) {
      return "_files";
    }
    return " "; // the message only
  }

  private static List<String> candidates(ArgSpec arg) {
    return StreamSupport.stream(arg.completionCandidates().spliterator(), false).toList();
  }

  private static String choices(List<String> values) {
    return values.stream()
        .map(v -> v.replaceAll("([\\\\ ()'\":])", "\\\\$1"))
        .collect(Collectors.joining(" ", "(", ")"));
  }

  /** The description as one line, with the help's variables filled in as the help fills them. */
  private static String description(ArgSpec arg) {
    String text = String.join(" ", arg.description());
    if (arg.completionCandidates() != null) {
      text = text.replace("${COMPLETION-CANDIDATES}", String.join(", ", candidates(arg)));
    }
    // The declared default, never one from the user's config file: the script is the same for all.
    Object initial = arg.defaultValue() != null ? arg.defaultValue() : arg.initialValue();
    text = text.replace("${DEFAULT-VALUE}", String.valueOf(initial));
    return text.replace("%n", " ").replace("%%", "%").replaceAll("\\s+", " ").strip();
  }

  private static String summary(CommandLine command) {
    var usage = command.getCommandSpec().usageMessage();
    String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
    return String.join(" ", lines).replace("%n", " ").replace("%%", "%").strip();
  }

  /** Text inside an option's {@code [...]}: a bracket would end it early. */
  private static String bracketed(String text) {
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
  }

  /** A message sits between colons. */
  private static String message(String text) {
    return text.replace("\\", "\\\\").replace(":", "\\:");
  }

  /** One zsh word in single quotes. */
  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }
}
