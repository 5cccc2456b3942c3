package dev.novaproxy.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The built function zip ({@code dist/lib/novaproxy-lambda.zip}), unpacked as Lambda unpacks it
 * into {@code /var/task}: with the unix modes stored in the zip, which is what makes the wrapper
 * executable there.
 */
public final class LambdaZip {
  /** The zip 'mvn package' makes (the {@code novaproxy.dist} property, or {@code dist}). */
  public static Path built() {
    Path zip = Path.of(System.getProperty("novaproxy.dist", "dist"), "lib", "novaproxy-lambda.zip");
    if (!Files.isRegularFile(zip)) {
      throw new IllegalStateException(zip + " is missing: run 'mvn package' first");
    }
    return zip;
  }

  /** Unpacks every entry with its stored permissions; returns the task root. */
  public static Path unpack(Path zip, Path into) throws IOException {
    Files.createDirectories(into);
    try (FileSystem fs =
        FileSystems.newFileSystem(
            URI.create("jar:" + zip.toUri()), Map.of("enablePosixFileAttributes", "true"))) {
      Path root = fs.getPath("/");
      List<Path> entries;
      try (Stream<Path> walk = Files.walk(root)) {
        entries = walk.filter(Files::isRegularFile).toList();
      }
      for (Path entry : entries) {
        Path target = into.resolve(root.relativize(entry).toString());
        Files.createDirectories(target.getParent());
        try (InputStream in = Files.newInputStream(entry)) {
          Files.copy(in, target);
        }
        Files.setPosixFilePermissions(target, permissions(entry));
      }
    }
    return into;
  }

  /** An entry's unix permissions as stored in the zip. */
  public static Set<PosixFilePermission> permissions(Path entryInZip) throws IOException {
    return Files.getPosixFilePermissions(entryInZip);
  }

  private LambdaZip() {}
}
