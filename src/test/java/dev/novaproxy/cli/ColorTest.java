package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Colours: picocli's terminal detection decides by default; NO_COLOR and --no-color always win. The
 * test forces colours on (as a terminal would) with picocli's own switch, then turns them off.
 */
class ColorTest {
  private static final String ESC = "\u001b[";
  private String saved;

  @BeforeEach
  void forceColours() {
    saved = System.getProperty("picocli.ansi");
    System.setProperty("picocli.ansi", "true");
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("picocli.ansi");
    } else {
      System.setProperty("picocli.ansi", saved);
    }
  }

  private static String[] run(Map<String, String> env, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    Main.run(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        env,
        args);
    return new String[] {
      out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void should_colour_errors_and_help_on_a_terminal() {
    assertThat(run(Map.of(), "config", "set", "nope", "x")[1]).contains(ESC);
    assertThat(run(Map.of(), "serve", "--help")[0]).contains(ESC);
  }

  @Test
  void should_never_colour_with_no_color_or_the_flag() {
    assertThat(run(Map.of("NO_COLOR", "1"), "config", "set", "nope", "x")[1])
        .doesNotContain(ESC)
        .contains("Unknown setting");
    assertThat(run(Map.of("NO_COLOR", "1"), "serve", "--help")[0])
        .doesNotContain(ESC)
        .contains("Usage:");
    assertThat(run(Map.of(), "config", "set", "nope", "x", "--no-color")[1])
        .doesNotContain(ESC)
        .contains("Unknown setting");
    assertThat(run(Map.of(), "serve", "--bogus", "--no-color")[1])
        .doesNotContain(ESC)
        .contains("Unknown option");
  }
}
