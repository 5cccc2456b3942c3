package dev.novaproxy.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md and docs/*.md link into each other by {@code page.md#anchor}; a heading renamed or a
 * section moved breaks such a link silently, so every relative link and anchor is checked here.
 */
class DocsLinksTest {
  private static final Path README = Path.of("README.md");

  private static List<Path> docsPages() throws IOException {
    try (Stream<Path> pages = Files.list(Path.of("docs"))) {
      return pages.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
  }

  @Test
  void should_resolve_every_relative_link_and_anchor_in_the_readme_and_docs() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(README);
    files.addAll(docsPages());

    assertThat(new MarkdownLinks().broken(files)).isEmpty();
  }

  @Test
  void should_link_every_docs_page_from_the_readme_and_back() throws IOException {
    List<String> readmeLinks = MarkdownLinks.links(Files.readString(README));
    List<Path> pages = docsPages();

    assertThat(pages).isNotEmpty();
    for (Path page : pages) {
      assertThat(readmeLinks).as("README links " + page).contains("docs/" + page.getFileName());
      assertThat(MarkdownLinks.links(Files.readString(page)))
          .as(page + " links back to the README")
          .contains("../README.md");
    }
  }

  @Test
  void should_report_a_missing_file_and_an_anchor_no_heading_makes(@TempDir Path dir)
      throws IOException {
    Path page = dir.resolve("page.md");
    Files.writeString(
        page,
        String.join(
            "\n",
            "# A page",
            "## `novaproxy serve`: the proxy",
            "## Notes",
            "## Notes",
            "```",
            "## Not a heading",
            "[in a code block](gone.md)",
            "```",
            "[ok](#novaproxy-serve-the-proxy) [ok](#notes-1) [ok](https://example.com/x#y)",
            "[code span is no link: `[x](gone.md)`]",
            "[bad anchor](#not-a-heading) [bad file](gone.md) [bad](page.md#notes-2)"));

    assertThat(new MarkdownLinks().broken(List.of(page)))
        .containsExactly(
            page + ": #not-a-heading (no heading makes this anchor)",
            page + ": gone.md (no such file)",
            page + ": page.md#notes-2 (no heading makes this anchor)");
  }
}
