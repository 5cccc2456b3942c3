package dev.novaproxy.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds relative links in Markdown files that lead nowhere: a file that does not exist, or an
 * {@code #anchor} that no heading of the target page makes. Anchors are made as GitHub makes them
 * (lower case, punctuation dropped, spaces to hyphens, {@code -1}, {@code -2} for repeats), since
 * that is where the pages are read. Code blocks and code spans are skipped: a {@code ](x)} in an
 * example is not a link.
 */
final class MarkdownLinks {
  private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+?) *#*$");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

  private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();

  /** Each broken link as {@code file: target (why)}. */
  List<String> broken(List<Path> files) throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      for (String target : links(Files.readString(file))) {
        String problem = check(file, target);
        if (problem != null) {
          problems.add(file + ": " + target + " (" + problem + ")");
        }
      }
    }
    return problems;
  }

  private String check(Path from, String target) throws IOException {
    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return null; // https:, mailto: ...: not this repository's to check
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    Path resolved =
        path.isEmpty() ? from : from.toAbsolutePath().getParent().resolve(path).normalize();
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (hash < 0) {
      return null;
    }
    String anchor = target.substring(hash + 1);
    if (!resolved.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    return anchors(resolved).contains(anchor) ? null : "no heading makes this anchor";
  }

  Set<String> anchors(Path file) throws IOException {
    Path key = file.toAbsolutePath().normalize();
    Set<String> known = anchorsByFile.get(key);
    if (known == null) {
      known = anchorsOf(Files.readString(key));
      anchorsByFile.put(key, known);
    }
    return known;
  }

  static Set<String> anchorsOf(String markdown) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : outsideCodeBlocks(markdown)) {
      Matcher m = HEADING.matcher(line);
      if (m.matches()) {
        String slug = slug(m.group(1));
        int repeats = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(repeats == 0 ? slug : slug + "-" + repeats);
      }
    }
    return anchors;
  }

  static String slug(String heading) {
    return heading
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc}\\- ]", "")
        .replace(' ', '-');
  }

  static List<String> links(String markdown) {
    List<String> targets = new ArrayList<>();
    for (String line : outsideCodeBlocks(markdown)) {
      Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  private static List<String> outsideCodeBlocks(String markdown) {
    List<String> lines = new ArrayList<>();
    boolean inBlock = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        inBlock = !inBlock;
      } else if (!inBlock) {
        lines.add(line);
      }
    }
    return lines;
  }
}
