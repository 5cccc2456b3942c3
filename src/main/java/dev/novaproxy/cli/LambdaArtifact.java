package dev.novaproxy.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the function's code, {@code novaproxy-lambda.zip} (the runtime wrapper and {@code
 * lib/novaproxy-lambda.jar}): the {@code --artifact} file when given; else next to the running CLI
 * jar (both live in {@code dist/lib}); else in {@code dist/lib} of the project (the {@code
 * novaproxy.dist} property, or the working directory), which is where tests and {@code mvn package}
 * put it.
 */
final class LambdaArtifact {
  static final String FILE = "novaproxy-lambda.zip";

  static Path locate(Path override) {
    if (override != null) {
      if (!Files.isRegularFile(override)) {
        throw CliException.usage("--artifact " + override + " is not a file.");
      }
      return override;
    }
    Path beside = besideCli();
    if (beside != null && Files.isRegularFile(beside)) {
      return beside;
    }
    String dist = System.getProperty("novaproxy.dist");
    Path project = dist != null ? Path.of(dist, "lib", FILE) : Path.of("dist", "lib", FILE);
    if (Files.isRegularFile(project)) {
      return project;
    }
    throw CliException.notFound(
        "Cannot find "
            + FILE
            + " beside the novaproxy jar or in "
            + project.getParent()
            + "; build it with 'mvn package' or pass --artifact FILE.");
  }

  private static Path besideCli() {
    try {
      var source = LambdaArtifact.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path jar = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(jar) ? jar.resolveSibling(FILE) : null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  private LambdaArtifact() {}
}
