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
 * The entry point gives the common pool two threads on a machine of one or two cores, before
 * anything can make the pool: otherwise CompletableFuture's default executor is a new thread per
 * task, which is where the JDK HttpClient completes every {@code sendAsync} (serve's chats). Each
 * case runs a fresh JVM told it has that many cores.
 */
class CommonPoolTest {
  /** Loads Main as the launcher does, then says which executor CompletableFuture defaults to. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      Class.forName("dev.novaproxy.cli.Main");
      System.out.println(
          new CompletableFuture<Void>().defaultExecutor().getClass().getSimpleName()
              + " "
              + ForkJoinPool.getCommonPoolParallelism());
    }
  }

  private static String probe(int cores, String... options) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(java.toString(), "-XX:ActiveProcessorCount=" + cores, "-cp"));
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
    assertThat(probe(2)).isEqualTo("ForkJoinPool 2");
    assertThat(probe(1)).isEqualTo("ForkJoinPool 2");
  }

  @Test
  void should_leave_larger_machines_and_an_explicit_setting_alone() throws Exception {
    assertThat(probe(8)).isEqualTo("ForkJoinPool 7");
    assertThat(probe(2, "-D" + Main.COMMON_POOL_PARALLELISM + "=1"))
        .isEqualTo("ThreadPerTaskExecutor 1");
  }
}
