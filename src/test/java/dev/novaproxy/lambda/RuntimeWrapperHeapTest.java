package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper (src/main/lambda/novaproxy-runtime, run from source) lowers the runtime's heap cap to
 * the function's memory less 100 MB where that is lower, so that a heap grown to its cap leaves the
 * JVM's own memory room inside the function's (bench/lambda-memory: at 256 MB with the runtime's 85
 * % the function was killed by prompts near 6 MB). A stand-in {@code java} prints the arguments it
 * is given; the real JVM shows that the later option is the one in force.
 */
class RuntimeWrapperHeapTest {
  private static final Path WRAPPER = Path.of("src/main/lambda/novaproxy-runtime");
  private static final String MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  @TempDir Path task;

  /** The runtime's JVM options for a size, as the java21 runtime passes them. */
  private static List<String> runtimeOptions(int memoryMb) {
    return List.of(
        "-XX:MaxHeapSize=" + Math.round(memoryMb * 1024 * 0.85) + "k", "-XX:+UseSerialGC");
  }

  private List<String> javaArgumentsAt(String memorySize, List<String> options) throws Exception {
    Files.createDirectories(task.resolve("lib"));
    Files.write(task.resolve("lib/novaproxy-lambda.jar"), new byte[0]);
    Path fakeJava = task.resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
    List<String> cmd = new ArrayList<>(List.of("sh", WRAPPER.toString(), fakeJava.toString()));
    cmd.addAll(options);
    cmd.addAll(List.of("-classpath", "/var/runtime/lib/x.jar", MAIN, "handler::handleRequest"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LAMBDA_TASK_ROOT", task.toString());
    pb.environment().remove("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    if (memorySize != null) {
      pb.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memorySize);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }

  @Test
  void should_cap_the_heap_at_the_memory_less_100_mb_at_256_and_512() throws Exception {
    assertThat(javaArgumentsAt("256", runtimeOptions(256)))
        .containsSubsequence(
            "-XX:MaxHeapSize=222822k",
            "-classpath",
            "/var/runtime/lib/x.jar:" + task.resolve("lib/novaproxy-lambda.jar"),
            "-XX:MaxHeapSize=156m",
            "dev.novaproxy.lambda.RuntimeLoop")
        .doesNotContain(MAIN);
    assertThat(javaArgumentsAt("512", runtimeOptions(512))).contains("-XX:MaxHeapSize=412m");
  }

  @Test
  void should_leave_the_runtimes_cap_where_it_is_lower_or_the_size_unknown() throws Exception {
    // From 667 MB the runtime's 85 % leaves 100 MB or more; below 256 MB no heap is left worth it.
    for (String size : List.of("1024", "667", "128", "", "lots")) {
      List<String> options = runtimeOptions(1024);
      List<String> args = javaArgumentsAt(size, options);
      assertThat(args.stream().filter(a -> a.startsWith("-XX:MaxHeapSize=")))
          .as("memory size '%s'", size)
          .containsExactly("-XX:MaxHeapSize=891290k");
    }
    assertThat(javaArgumentsAt(null, runtimeOptions(512)))
        .filteredOn(a -> a.startsWith("-XX:MaxHeapSize="))
        .containsExactly("-XX:MaxHeapSize=445645k");
  }

  @Test
  void should_be_the_cap_in_force_when_given_after_the_runtimes() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxHeapSize=222822k",
                "-XX:MaxHeapSize=156m",
                "-XX:+PrintFlagsFinal",
                "-version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out.lines().filter(l -> l.contains(" MaxHeapSize ")))
        .singleElement()
        .asString()
        .contains("= " + 156L * 1024 * 1024 + " ");
  }
}
