package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.CliRun;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A port or host that serve cannot listen on is a usage error in one line, found before the key is
 * asked for (these runs have no key: reaching that point would say so instead).
 */
class ServeAddressTest {
  private static void assertUsageError(CliRun r, String... mentions) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).startsWith("novaproxy: ").contains(mentions);
    assertThat(r.err()).doesNotContain("out of range").doesNotContain("NOVA_API_KEY");
  }

  @Test
  void should_refuse_a_port_out_of_range_as_a_usage_error() {
    assertUsageError(CliRun.run("serve", "--port", "99999"), "--port", "'99999'", "0 to 65535");
    assertUsageError(CliRun.run("serve", "--port", "-1"), "--port", "'-1'");
  }

  @Test
  void should_refuse_a_host_that_cannot_be_resolved_or_is_not_this_machine() {
    assertUsageError(
        CliRun.run("serve", "--host", "no-such-host.invalid"),
        "--host",
        "'no-such-host.invalid' cannot be resolved",
        "127.0.0.1");
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    assertUsageError(
        CliRun.run("serve", "--host", "192.0.2.1"), "--host", "not an address of this machine");
  }

  @Test
  void should_name_the_variable_when_the_host_comes_from_the_environment() {
    var r = CliRun.runWithEnv(Map.of("NOVAPROXY_HOST", "no-such-host.invalid"), "serve");
    assertUsageError(r, "NOVAPROXY_HOST: 'no-such-host.invalid' cannot be resolved");
    assertThat(r.err()).doesNotContain("--host");
  }
}
