package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the entry point sets before anything can read it, each in a fresh JVM (told it has that many
 * cores):
 *
 * <ul>
 *   <li>the common pool gets two threads on a machine of one or two cores: otherwise
 *       CompletableFuture's default executor is a new thread per task, which is where the JDK
 *       HttpClient completes every {@code sendAsync} (serve's chats);
 *   <li>the JDK HttpClient's read buffer, which each open connection keeps, is 4 KB, not 16.
 * </ul>
 */
class StartupPropertiesTest {
  /**
   * Loads Main as the launcher does, then says which executor CompletableFuture defaults to, and
   * the read buffer size the JDK HttpClient took (its own constant, not the property).
   */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      Class.forName("dev.novaproxy.cli.Main");
      System.out.println(
          new CompletableFuture<Void>().defaultExecutor().getClass().getSimpleName()
              + " "
              + ForkJoinPool.getCommonPoolParallelism()
              + " "
              + Class.forName("jdk.internal.net.http.common.Utils")
                  .getField("BUFSIZE")
                  .getInt(null));
    }
  }

  private static String probe(int cores, String... options) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java.toString(),
                "-XX:ActiveProcessorCount=" + cores,
                "--add-exports=java.net.http/jdk.internal.net.http.common=ALL-UNNAMED",
                "-cp"));
    command.add(System.getProperty("java.class.path"));
    command.addAll(List.of(options));
    command.add(Probe.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void should_give_the_common_pool_two_threads_on_two_cores() throws Exception {
    assertThat(probe(2)).startsWith("ForkJoinPool 2 ");
    assertThat(probe(1)).startsWith("ForkJoinPool 2 ");
  }

  @Test
  void should_leave_larger_machines_and_an_explicit_setting_alone() throws Exception {
    assertThat(probe(8)).startsWith("ForkJoinPool 7 ");
    assertThat(probe(2, "-D" + Main.COMMON_POOL_PARALLELISM + "=1"))
        .startsWith("ThreadPerTaskExecutor 1 ");
  }

  @Test
  void should_give_the_http_clients_connections_4_kb_read_buffers_unless_told_otherwise()
      throws Exception {
    assertThat(probe(2)).endsWith(" 4096");
    assertThat(probe(8)).endsWith(" 4096");
    assertThat(probe(2, "-D" + Main.HTTP_CLIENT_BUFFER_SIZE + "=16384")).endsWith(" 16384");
  }
}
