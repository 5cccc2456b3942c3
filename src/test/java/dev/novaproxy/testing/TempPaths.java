package dev.novaproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary files and directories for tests that hand them to a child process (so JUnit's
 * {@code @TempDir} does not fit), removed with everything in them when the test JVM exits: each
 * build used to leave a few behind in the system's temporary directory. Failure messages quote
 * their contents, never only their paths, so nothing is lost by removing them (moto's logs
 * included).
 */
public final class TempPaths {
  private static final Set<Path> MADE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempPaths::removeAll, "temp-paths-cleanup"));
  }

  /** A new empty directory. */
  public static Path directory(String prefix) {
    try {
      return made(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new empty file. */
  public static Path file(String prefix, String suffix) {
    try {
      return made(Files.createTempFile(prefix, suffix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path made(Path path) {
    MADE.add(path);
    return path;
  }

  private static void removeAll() {
    for (Path root : MADE) {
      if (!Files.exists(root)) {
        continue;
      }
      try (Stream<Path> tree = Files.walk(root)) {
        // Deepest first, so each directory is empty when its turn comes.
        List<Path> all = tree.sorted(Comparator.reverseOrder()).toList();
        for (Path p : all) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | UncheckedIOException e) {
        // best effort at exit: a file still held open by a child is left
      }
    }
  }

  private TempPaths() {}
}
