package dev.novaproxy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The build's generator (exec-maven-plugin, package phase): the completion scripts into {@code
 * completions/} and one AsciiDoc man page per command into {@code target/man}. A build tool, so it
 * lives with the tests and picocli-codegen never reaches the shipped jar.
 */
public final class GenerateDocs {
  public static void main(String[] args) throws IOException {
    Path completions = Path.of(args[0]);
    writeCompletions(completions);
    if (args.length > 1) {
      Path man = Path.of(args[1]);
      Files.createDirectories(man);
      var sink = new java.io.PrintWriter(java.io.Writer.nullWriter());
      ManPageGenerator.generateManPage(
          man.toFile(),
          null,
          new boolean[0],
          false,
          Main.commandLine(sink, sink, Map.of()).getCommandSpec());
    }
  }

  static void writeCompletions(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve("novaproxy.bash"), Completions.bash());
    write(dir.resolve("_novaproxy"), Completions.zsh());
  }

  /** Writes only on a change, so that the files' times (and make-like tools) stay quiet. */
  private static void write(Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      Files.write(file, bytes);
    }
  }

  private GenerateDocs() {}
}
