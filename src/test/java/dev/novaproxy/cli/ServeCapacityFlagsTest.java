package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.CliRun;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * serve's capacity flags: a bad value is a usage error in one line naming where it came from, found
 * before the key is asked for (these runs have no key: reaching that point would say so instead).
 */
class ServeCapacityFlagsTest {
  private static void assertUsageError(CliRun r, String... mentions) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).startsWith("novaproxy: ").contains(mentions);
    assertThat(r.err()).doesNotContain("NOVA_API_KEY");
  }

  @Test
  void should_refuse_a_capacity_or_write_timeout_out_of_range() {
    assertUsageError(
        CliRun.run("serve", "--max-in-flight", "0"), "--max-in-flight", "'0'", "1 to 1000000");
    assertUsageError(
        CliRun.run("serve", "--write-timeout", "0"), "--write-timeout", "'0'", "seconds");
    assertUsageError(CliRun.run("serve", "--write-timeout", "4000"), "--write-timeout", "'4000'");
  }

  @Test
  void should_name_the_variable_when_the_capacity_comes_from_the_environment() {
    var r = CliRun.runWithEnv(Map.of("NOVAPROXY_MAX_IN_FLIGHT", "0"), "serve");
    assertUsageError(r, "NOVAPROXY_MAX_IN_FLIGHT", "'0'");
    assertThat(r.err()).doesNotContain("--max-in-flight");
  }
}
