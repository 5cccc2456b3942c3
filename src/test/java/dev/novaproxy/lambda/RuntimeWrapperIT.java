package dev.novaproxy.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The built zip, unpacked as Lambda unpacks it, and its wrapper run the way the {@code java21}
 * managed runtime runs an {@code AWS_LAMBDA_EXEC_WRAPPER}: the java path first, then the runtime's
 * own JVM options, classpath, main class and handler. The real JVM then runs the loop, which reads
 * the key from Secrets Manager (moto) and answers through the Runtime API stand-in.
 */
@ExtendWith(MotoServer.class)
class RuntimeWrapperIT {
  private static final String KEY = "sk-wrapper-TEST-key-93ab10";
  private static final String AWS_MAIN =
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String HANDLER = "dev.novaproxy.lambda.LambdaHandler::handleRequest";

  @TempDir Path tmp;

  @Test
  void should_hold_an_executable_wrapper_and_the_function_jar_and_nothing_else() throws Exception {
    Path zip = LambdaZip.built();
    assertThat(Files.size(zip)).as("artifact size").isLessThanOrEqualTo(10L * 1024 * 1024);
    try (FileSystem fs =
        FileSystems.newFileSystem(
            URI.create("jar:" + zip.toUri()), Map.of("enablePosixFileAttributes", "true"))) {
      Path wrapper = fs.getPath("/novaproxy-runtime");
      assertThat(Path.of(RuntimeLoop.WRAPPER_PATH).getFileName().toString())
          .isEqualTo(wrapper.getFileName().toString());
      // Lambda runs the function as another user than the files' owner: all must read and run it.
      assertThat(LambdaZip.permissions(wrapper))
          .contains(
              PosixFilePermission.OWNER_EXECUTE,
              PosixFilePermission.GROUP_EXECUTE,
              PosixFilePermission.OTHERS_EXECUTE,
              PosixFilePermission.OTHERS_READ);
      assertThat(Files.readString(wrapper)).startsWith("#!/bin/sh\n").doesNotContain("\r");
      assertThat(Files.exists(fs.getPath("/lib/novaproxy-lambda.jar"))).isTrue();
    }
    Path task = LambdaZip.unpack(zip, tmp.resolve("task"));
    try (JarFile jar = new JarFile(task.resolve("lib/novaproxy-lambda.jar").toFile())) {
      List<String> names = jar.stream().map(JarEntry::getName).toList();
      assertThat(names)
          .contains("dev/novaproxy/lambda/RuntimeLoop.class")
          .noneMatch(n -> n.startsWith("picocli/"))
          .noneMatch(n -> n.startsWith("org/jline/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/iam/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/lambda/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/apigatewayv2/"))
          .noneMatch(n -> n.startsWith("dev/novaproxy/cli/"));
    }
  }

  @Test
  void should_run_the_loop_on_the_jvm_options_the_runtime_passed_and_stream_an_answer()
      throws Exception {
    Path task = LambdaZip.unpack(LambdaZip.built(), tmp.resolve("task"));
    // The runtime's classpath and its class-data sharing archive, as -Xshare:on uses them.
    Path runtimeJar = runtimeJar(tmp.resolve("runtime/lib/aws-lambda-java-core-1.2.3.jar"));
    Path archive = tmp.resolve("runtime/runtime.jsa");
    dumpArchive(runtimeJar, archive);

    try (var secrets =
        SecretsManagerClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(MotoServer.endpoint())
            .build()) {
      secrets.createSecret(x -> x.name("backend/NovaApiKey").secretString(KEY));
    }
    try (FakeNova nova = FakeNova.start().requireKey(KEY);
        FakeRuntimeApi api = FakeRuntimeApi.start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // A file of options too (java @argfile): the wrapper keeps it as an option.
      Path argFile = tmp.resolve("jvm.options");
      Files.writeString(argFile, "-Djava.net.preferIPv4Stack=true\n");
      List<String> jvmOptions =
          List.of(
              "@" + argFile,
              "-XX:MaxHeapSize=445645k",
              "-XX:+UseSerialGC",
              "-Xshare:on",
              "-XX:SharedArchiveFile=" + archive,
              "-XX:+TieredCompilation",
              "-XX:TieredStopAtLevel=1",
              "--add-opens=java.base/java.io=ALL-UNNAMED",
              "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac",
              "-XX:+ErrorFileToStderr");
      List<String> command = new ArrayList<>();
      command.add(task.resolve("novaproxy-runtime").toString());
      command.add(java);
      command.addAll(jvmOptions);
      command.addAll(List.of("-classpath", runtimeJar.toString(), AWS_MAIN, HANDLER));
      ProcessBuilder pb = new ProcessBuilder(command);
      Map<String, String> env = pb.environment();
      env.put("AWS_LAMBDA_RUNTIME_API", api.address());
      env.put("LAMBDA_TASK_ROOT", task.toString());
      env.put("_HANDLER", HANDLER);
      env.put("AWS_REGION", MotoServer.REGION);
      env.put("AWS_ACCESS_KEY_ID", "testing");
      env.put("AWS_SECRET_ACCESS_KEY", "testing");
      env.put("AWS_EC2_METADATA_DISABLED", "true");
      env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", MotoServer.endpoint().toString());
      env.put(ProxySettings.ENV_UPSTREAM_URL, nova.baseUrl().toString());
      env.put("AWS_LAMBDA_FUNCTION_NAME", "novaproxy-proxy"); // as Lambda sets it
      env.remove("JAVA_TOOL_OPTIONS");
      Path log = tmp.resolve("function.log");
      Process function = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        String id =
            api.enqueue(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), Duration.ofMinutes(1));
        FakeRuntimeApi.Response streamed = api.awaitResponse(id, Duration.ofSeconds(60));
        assertThat(streamed.streamed()).as(Files.readString(log)).isTrue();
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.bodyText()).contains("\"echo:\"").endsWith("data: [DONE]\n\n");
        assertThat(nova.chatRequests().get(0).headers().get("authorization"))
            .isEqualTo("Bearer " + KEY);

        String viaApi =
            api.enqueue(LoopUnderTest.apiEvent(LoopUnderTest.WHOLE_BODY), Duration.ofMinutes(1));
        assertThat(
                api.awaitResponse(viaApi, Duration.ofSeconds(30)).json().path("statusCode").asInt())
            .isEqualTo(200);

        // exec: the wrapper's process is now the JVM, on the runtime's options and our loop.
        List<String> args =
            List.of(
                ProcessHandle.of(function.pid()).orElseThrow().info().arguments().orElseThrow());
        List<String> expected = new ArrayList<>(jvmOptions);
        expected.addAll(
            List.of(
                "-classpath",
                runtimeJar + ":" + task.resolve("lib/novaproxy-lambda.jar"),
                "dev.novaproxy.lambda.RuntimeLoop"));
        assertThat(args).isEqualTo(expected);
      } finally {
        api.close();
        assertThat(function.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(function.exitValue()).as("the Runtime API went away").isEqualTo(1);
      assertThat(Files.readString(log)).doesNotContain(KEY).contains("\"route\":\"chat\"");
      // The artifact's access lines carry EMF, one per door.
      assertThat(
              Files.readAllLines(log).stream()
                  .filter(l -> l.contains("\"request_id\""))
                  .map(l -> dev.novaproxy.testing.EmfLines.valid(l).path("Door").asText()))
          .containsExactly("stream", "api");
    }
  }

  /** A jar with one class in it, standing in for the runtime's own jars. */
  private static Path runtimeJar(Path jar) throws IOException {
    Files.createDirectories(jar.getParent());
    String name = LambdaZip.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry(name));
      try (var in = LambdaZip.class.getClassLoader().getResourceAsStream(name)) {
        in.transferTo(out);
      }
      out.closeEntry();
    }
    return jar;
  }

  /** A class-data sharing archive of that jar, as the runtime ships one for its classpath. */
  private void dumpArchive(Path runtimeJar, Path archive) throws Exception {
    Path classList = tmp.resolve("classlist");
    Files.writeString(
        classList, LambdaZip.class.getName().replace('.', '/') + "\n", StandardCharsets.UTF_8);
    Process dump =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:dump",
                "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive,
                "-cp",
                runtimeJar.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(dump.waitFor()).as(out).isZero();
  }
}
