package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.testing.IsolatedEnvironment;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built CLI jar, run as its own process the way a user runs it, deploys the built Lambda
 * artifact to moto: setup, deploy (the artifact found beside the CLI jar), a no-change deploy,
 * status, destroy. Region and endpoint come from the environment here, as AWS users set them.
 */
@ExtendWith(MotoServer.class)
class DeployIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "it-nova-key-5b2f0c";

  @TempDir Path home;

  record Run(int exitCode, String out, String err, long millis) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  private static Path dist() {
    String dist = System.getProperty("novaproxy.dist");
    assertThat(dist).as("failsafe sets novaproxy.dist").isNotNull();
    return Path.of(dist);
  }

  private Run cli(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                dist().resolve("lib/novaproxy.jar").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = IsolatedEnvironment.apply(new ProcessBuilder(command), home);
    var env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    env.put("AWS_REGION", MotoServer.REGION);
    env.put("AWS_ENDPOINT_URL", MotoServer.endpoint().toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", home.resolve("aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("aws-credentials").toString());
    env.put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
    Path out = home.resolve("out.txt");
    Path err = home.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    long start = System.nanoTime();
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the CLI finished").isTrue();
    long ms = (System.nanoTime() - start) / 1_000_000;
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err), ms);
    assertThat(r.out() + r.err()).as("the key never appears in output").doesNotContain(KEY);
    return r;
  }

  @Test
  void should_deploy_the_built_artifact_and_remove_it_again() throws Exception {
    Run setup = cli(KEY + "\n", "setup", "--api-key-stdin");
    assertThat(setup.exitCode()).as("%s", setup).isZero();

    Run first = cli(null, "deploy", "--no-snapstart", "-o", "json");
    assertThat(first.exitCode()).as("%s", first).isZero();
    JsonNode deployed = JSON.readTree(first.out());
    assertThat(first.err()).contains("function novaproxy-proxy: created");

    Run second = cli(null, "deploy", "--no-snapstart", "-o", "json");
    assertThat(second.exitCode()).as("%s", second).isZero();
    JsonNode again = JSON.readTree(second.out());
    assertThat(again.get("changed").asBoolean()).isFalse();
    assertThat(again.get("url").asText()).isEqualTo(deployed.get("url").asText());
    System.out.printf(
        "FIGURES CLI process against moto: first deploy %d AWS calls in %d ms (%.1f s inside); no-change deploy %d AWS calls in %d ms (%.1f s inside)%n",
        deployed.get("awsCalls").asInt(),
        first.millis(),
        deployed.get("seconds").asDouble(),
        again.get("awsCalls").asInt(),
        second.millis(),
        again.get("seconds").asDouble());

    try (var aws =
        new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      var c = aws.lambda().getFunction(x -> x.functionName("novaproxy-proxy")).configuration();
      Artifact jar = Artifact.read(dist().resolve("lib/novaproxy-lambda.zip"));
      assertThat(c.codeSha256()).isEqualTo(jar.sha256());
      assertThat(c.codeSize()).isEqualTo(jar.bytes().length);
      assertThat(c.handler()).isEqualTo("dev.novaproxy.lambda.LambdaHandler::handleRequest");
    }
    Path config = home.resolve("xdg/novaproxy/config.json");
    assertThat(JSON.readTree(config.toFile()).get("url").asText())
        .isEqualTo(deployed.get("url").asText());
    assertThat(Files.readString(config)).doesNotContain(KEY);

    Run status = cli(null, "status", "-o", "json");
    assertThat(status.exitCode()).as("%s", status).isZero();
    assertThat(JSON.readTree(status.out()).get("deployed").asBoolean()).isTrue();

    Run destroy = cli(null, "destroy", "--yes", "--delete-secret");
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    Run after = cli(null, "status");
    assertThat(after.exitCode()).as("%s", after).isEqualTo(3);
  }
}
