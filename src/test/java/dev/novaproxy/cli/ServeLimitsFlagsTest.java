package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's limits flags: what they turn on, where the keys file is, and every usage error. */
class ServeLimitsFlagsTest {
  @TempDir Path dir;

  private static ServeCommand parsed(String... args) {
    return ParsedCommand.of(args);
  }

  @Test
  void should_run_as_before_keys_without_a_limits_flag() {
    ServeCommand serve = parsed("serve", "--client-token-sha256", "a".repeat(64));
    assertThat(serve.settings().limits()).isEqualTo(LimitsSettings.off());
    assertThat(serve.limitsStore(Map.of("XDG_STATE_HOME", dir.toString()))).isNull();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void should_turn_the_flags_into_limits_and_a_local_store() {
    ServeCommand serve =
        parsed(
            "serve",
            "--anonymous-rpm",
            "10",
            "--anonymous-tokens-per-day",
            "5000",
            "--daily-token-budget",
            "200000");
    assertThat(serve.settings().limits())
        .isEqualTo(new LimitsSettings(null, true, 10, 5000L, 200_000L));
    var store = serve.limitsStore(Map.of("XDG_STATE_HOME", dir.toString()));
    assertThat(store)
        .isInstanceOfSatisfying(
            LocalFileStore.class,
            f -> assertThat(f.file()).isEqualTo(dir.resolve("novaproxy/keys.json")));
    assertThat(Files.exists(dir.resolve("novaproxy/keys.json")))
        .as("nothing written before it is needed")
        .isFalse();
  }

  @Test
  void should_use_the_keys_file_given_and_turn_keys_on_with_it_alone() {
    Path file = dir.resolve("my-keys.json");
    ServeCommand serve = parsed("serve", "--keys-file", file.toString(), "--anonymous", "deny");
    assertThat(serve.settings().limits().anonymous()).isFalse();
    assertThat(((LocalFileStore) serve.limitsStore(Map.of())).file()).isEqualTo(file);
    assertThat(parsed("serve", "--keys-file", file.toString()).limitsStore(Map.of())).isNotNull();
  }

  @Test
  void should_refuse_bad_limits_flags_with_one_line_and_exit_2() {
    for (String[] args :
        new String[][] {
          {"serve", "--anonymous", "sometimes"},
          {"serve", "--anonymous-rpm", "0"},
          {"serve", "--daily-token-budget", "-5"},
          {"serve", "--anonymous-tokens-per-day", "lots"},
          {"serve", "--anonymous", "deny", "--anonymous-rpm", "5"}
        }) {
      CliRun run = CliRun.run(args);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err()).startsWith("novaproxy: ");
    }
    assertThat(CliRun.run("serve", "--anonymous", "deny", "--anonymous-rpm", "5").err())
        .contains("--anonymous deny");
  }

  @Test
  void should_stop_at_start_when_the_keys_file_is_broken() throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, "not json");
    CliRun run = CliRun.run("serve", "--port", "0", "--keys-file", file.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err()).contains(file.toString()).contains("not valid JSON");
  }
}
