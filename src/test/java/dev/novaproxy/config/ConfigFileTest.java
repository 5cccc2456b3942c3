package dev.novaproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken config file is reported in the user's terms: where, what, and what to do. */
class ConfigFileTest {
  @TempDir Path dir;

  private String problemWith(String content) throws Exception {
    Path path = dir.resolve("config.json");
    Files.writeString(path, content);
    var e = catchThrowableOfType(ConfigFile.Unreadable.class, () -> new ConfigFile(path).read());
    assertThat(e).as("no error for: " + content).isNotNull();
    String message = e.getMessage();
    assertThat(message)
        .as(message)
        .startsWith("The config file " + path)
        .endsWith("; fix or delete it.")
        .doesNotContain("\n")
        .doesNotContain("Source:")
        .doesNotContain("REDACTED")
        .doesNotContain("jackson")
        .doesNotContain("Json")
        .doesNotContain("code 1");
    return message;
  }

  @Test
  void should_say_where_a_truncated_file_ends_in_one_line() throws Exception {
    assertThat(problemWith("{\"port\": 99\n"))
        .contains("is not valid JSON at line 2, column 1")
        .contains("ends before");
  }

  @Test
  void should_name_the_line_column_and_the_mistake_for_common_slips() throws Exception {
    assertThat(problemWith("{\n  \"port\": 9000,\n}\n"))
        .contains("line 3, column 1")
        .contains("unexpected '}'")
        .contains("a name in double quotes");
    assertThat(problemWith("{\"region\": eu-west-1}"))
        .contains("line 1, column 12")
        .contains("in double quotes");
    assertThat(problemWith("{\"port\": 9000 \"host\": \"0.0.0.0\"}"))
        .contains("line 1, column 15")
        .contains("expected ',' or '}'");
    assertThat(problemWith("{\"port\" 9000}")).contains("line 1, column 9").contains("':'");
    assertThat(problemWith("{\"port\": 9000} {}")).contains("more after the closing }");
  }

  @Test
  void should_report_a_file_that_is_not_an_object_empty_or_not_text() throws Exception {
    assertThat(problemWith("[1, 2]")).contains("is not a JSON object");
    assertThat(problemWith("  \n")).contains("is empty");
    Path path = dir.resolve("config.json");
    Files.write(path, new byte[] {'{', '"', (byte) 0xff, '"', '}'});
    var e = catchThrowableOfType(ConfigFile.Unreadable.class, () -> new ConfigFile(path).read());
    assertThat(e.getMessage()).contains("not UTF-8 text").endsWith("; fix or delete it.");
  }

  @Test
  void should_read_a_good_file_and_a_missing_one() throws Exception {
    Path path = dir.resolve("config.json");
    assertThat(new ConfigFile(path).read().isEmpty()).isTrue();
    Files.writeString(path, "{\"region\": \"eu-west-1\"}", StandardCharsets.UTF_8);
    assertThat(new ConfigFile(path).get("region")).isEqualTo("eu-west-1");
  }
}
