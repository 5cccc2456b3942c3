package dev.novaproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.aws.ApiKeySecret;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.testing.IsolatedEnvironment;
import dev.novaproxy.testing.MotoServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lambda artifact as built: at most 10 MB, no Apache or Netty client, and every AWS call the
 * function makes works from its classes alone (the build leaves out parts of the SDK the function
 * never loads; see pom.xml). Against moto.
 */
@ExtendWith(MotoServer.class)
class LambdaArtifactIT {
  private static final long MAX_BYTES = 10_000_000;

  @TempDir Path tmp;

  /** The function's jar (the zip that deploy uploads holds it under lib/). */
  private static Path artifact() {
    Path jar = Path.of("target", "lambda", "novaproxy-lambda.jar");
    assertThat(jar).as("mvn package makes it").exists();
    return jar;
  }

  /** What deploy uploads. */
  private static Path zip() {
    Path zip =
        Path.of(System.getProperty("novaproxy.dist", "dist")).resolve("lib/novaproxy-lambda.zip");
    assertThat(zip).as("mvn package makes it").exists();
    return zip;
  }

  @Test
  void should_stay_under_10_mb_without_apache_or_netty() throws Exception {
    assertThat(Files.size(zip())).isLessThanOrEqualTo(MAX_BYTES);
    assertThat(Files.size(artifact())).isLessThanOrEqualTo(MAX_BYTES);
    try (var zip = new ZipFile(artifact().toFile())) {
      assertThat(zip.stream().map(e -> e.getName()))
          .noneMatch(n -> n.startsWith("org/apache/http/"))
          .noneMatch(n -> n.startsWith("io/netty/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/http/apache/"))
          .noneMatch(n -> n.startsWith("picocli/"))
          .anyMatch(n -> n.startsWith("software/amazon/awssdk/http/urlconnection/"))
          .anyMatch(n -> n.equals("dev/novaproxy/limits/dynamo/DynamoLimitsStore.class"));
    }
  }

  @Test
  void should_make_every_call_of_the_function_from_the_artifact_alone() throws Exception {
    String table = "probe-keys";
    try (var aws =
        new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      var names = new ResourceNames("probe");
      new KeysTable(
              aws,
              new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
          .apply(
              new KeysTable.Desired(table, true, names.tags()),
              Optional.empty(),
              PlanStep.create(KeysTable.RESOURCE, table));
      new ApiKeySecret(aws).store("probe/NovaKey", "sk-probe-0123456789", names);
    }
    // This class only, beside the artifact: nothing from the build's own class path.
    Path classes = tmp.resolve("probe");
    String file = LambdaArtifactProbe.class.getName().replace('.', '/') + ".class";
    Path target = classes.resolve(file);
    Files.createDirectories(target.getParent());
    try (var in = LambdaArtifactProbe.class.getClassLoader().getResourceAsStream(file)) {
      Files.copy(in, target);
    }
    ProcessBuilder pb =
        IsolatedEnvironment.apply(
            new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                artifact().toAbsolutePath() + java.io.File.pathSeparator + classes,
                LambdaArtifactProbe.class.getName(),
                MotoServer.endpoint().toString(),
                table,
                "probe/NovaKey"),
            tmp.resolve("home"));
    pb.environment().put("AWS_ACCESS_KEY_ID", "testing");
    pb.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
    pb.environment().put("AWS_REGION", MotoServer.REGION);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String all = "exit " + p.exitValue() + "\n" + out + "\n" + err;
    assertThat(p.exitValue()).as(all).isZero();
    assertThat(out.lines().toList())
        .as(all)
        .containsExactly(
            "findKey false",
            "reserve one OptionalInt.empty",
            "reserve one again OptionalInt[0]",
            "reserve two OptionalInt.empty",
            "reserve two again OptionalInt[1]",
            "read 0 5",
            "missing table DynamoDB table nope does not exist (while trying to read a counter)",
            "secret length 19",
            "aws endpoint unreachable");
    assertThat(err).as(all).doesNotContain("NoClassDefFoundError").doesNotContain("Exception");
    assertThat(List.of(out, err)).noneMatch(s -> s.contains("sk-probe-0123456789"));
  }
}
