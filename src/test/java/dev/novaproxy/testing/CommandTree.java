package dev.novaproxy.testing;

import dev.novaproxy.cli.Main;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Every command of the CLI's model, the top one first, and what the build names their pages. */
public final class CommandTree {
  public static List<CommandLine> all() {
    var sink = new PrintWriter(Writer.nullWriter());
    List<CommandLine> all = new ArrayList<>();
    collect(Main.commandLine(sink, sink), all);
    return all;
  }

  private static void collect(CommandLine cl, List<CommandLine> all) {
    all.add(cl);
    cl.getSubcommands().values().forEach(sub -> collect(sub, all));
  }

  /** The man page's name: novaproxy, novaproxy-serve, novaproxy-config-set, ... */
  public static String manPage(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName("-");
  }

  private CommandTree() {}
}
