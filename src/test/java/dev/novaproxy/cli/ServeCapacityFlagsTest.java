package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.local.Capacity;
import dev.novaproxy.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  @Test
  void should_warn_when_this_jvms_heap_cannot_hold_the_capacity() {
    var r = CliRun.run("serve", "--max-in-flight", "1000000");
    assertThat(r.err().lines().findFirst())
        .as(r.toString())
        .hasValueSatisfying(
            line ->
                assertThat(line)
                    .startsWith("warning: 1000000 chats in flight (--max-in-flight) need about ")
                    .contains(" MB of heap and this JVM has ")
                    .contains("give it more with NOVAPROXY_JAVA_OPTS=-Xmx"));
    assertThat(r.exitCode()).as("these runs have no key").isNotZero();
  }

  @Test
  void should_fit_the_default_capacity_in_the_heap_the_launcher_gives_serve() throws Exception {
    Matcher xmx =
        Pattern.compile("serve\\) opts=\"-Xmx(\\d+)m\"")
            .matcher(Files.readString(Path.of("dist/novaproxy")));
    assertThat(xmx.find()).as("the launcher bounds serve's heap").isTrue();
    long launcherHeap = Long.parseLong(xmx.group(1)) * 1024 * 1024;
    assertThat(ServeCommand.heapWarning(Capacity.DEFAULT, launcherHeap)).isNull();
    assertThat(
            ServeCommand.heapWarning(
                new Capacity(20_000, Capacity.DEFAULT_WRITE_TIMEOUT), 768L * 1024 * 1024))
        .isEqualTo(
            "warning: 20000 chats in flight (--max-in-flight) need about 1376 MB of heap and"
                + " this JVM has 768 MB; give it more with NOVAPROXY_JAVA_OPTS=-Xmx1536m, or lower"
                + " --max-in-flight");
  }
}
