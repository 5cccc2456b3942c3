package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy --dry-run} prints what a million 5-second chats cost at the planned memory size
 * next to the default size (text and {@code -o json}), and a smaller default does not shrink a
 * function already deployed at another size. Against moto, through the command line. The expected
 * figures are worked out by hand from the list prices: arm64 $0.0000133334 and x86_64 $0.0000166667
 * per GB-second, $0.20 per million requests; 1,000,000 x 5 s x 0.25 GB = 1,250,000 GB-seconds at
 * 256 MB.
 */
@ExtendWith(MotoServer.class)
class DeployCostTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path code;

  @BeforeEach
  void setUp() throws Exception {
    useConfig("laptop");
    code = TestZip.write(dir, "code v1");
    CliRun setup = CliRun.runWithStdin("nova-key-0123456789\n", args("setup", "--api-key-stdin"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
  }

  private void useConfig(String machine) {
    System.setProperty(
        ConfigFile.PATH_PROPERTY, dir.resolve(machine).resolve("config.json").toString());
  }

  private static String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deployOk(String... extra) {
    List<String> a = new ArrayList<>(List.of("deploy", "--artifact", code.toString()));
    a.addAll(List.of(extra));
    CliRun r = CliRun.run(args(a.toArray(String[]::new)));
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private JsonNode dryRunJson(String... extra) throws Exception {
    List<String> a = new ArrayList<>(List.of("--dry-run", "-o", "json"));
    a.addAll(List.of(extra));
    return JSON.readTree(deployOk(a.toArray(String[]::new)).out());
  }

  @Test
  void should_plan_a_new_deployment_at_256_mb_and_print_its_cost() throws Exception {
    CliRun dry = deployOk("--dry-run");
    assertThat(dry.out())
        .contains("memory         256 MB")
        .contains(
            "Cost per million 5-second chats, Lambda on arm64: $16.87 at 256 MB (the default"
                + " size); through the HTTP API add $1.00, through the stream URL nothing")
        .contains("(us-east-1 list prices");

    JsonNode cost = dryRunJson().get("cost");
    assertThat(cost.get("memoryMb").asInt()).isEqualTo(256);
    assertThat(cost.get("defaultMemoryMb").asInt()).isEqualTo(256);
    assertThat(cost.get("lambda").asDouble()).isEqualTo(16.87);
    assertThat(cost.get("defaultLambda").asDouble()).isEqualTo(16.87);
    assertThat(cost.get("httpApiExtra").asDouble()).isEqualTo(1.00);
    assertThat(cost.get("streamUrlExtra").asDouble()).isZero();
    assertThat(cost.get("chats").asLong()).isEqualTo(1_000_000);
    assertThat(cost.get("chatSeconds").asInt()).isEqualTo(5);
    assertThat(cost.get("currency").asText()).isEqualTo("USD");
    assertThat(cost.get("arch").asText()).isEqualTo("arm64");
  }

  @Test
  void should_print_the_planned_size_next_to_the_default() throws Exception {
    CliRun dry = deployOk("--dry-run", "--memory", "512", "--arch", "x86_64");
    assertThat(dry.out())
        .contains(
            "Cost per million 5-second chats, Lambda on x86_64: $41.87 at 512 MB, $21.03 at the"
                + " default 256 MB;");

    JsonNode cost = dryRunJson("--memory", "1024").get("cost");
    assertThat(cost.get("arch").asText()).isEqualTo("arm64");
    assertThat(cost.get("memoryMb").asInt()).isEqualTo(1024);
    assertThat(cost.get("lambda").asDouble()).isEqualTo(66.87);
    assertThat(cost.get("defaultLambda").asDouble()).isEqualTo(16.87);
  }

  @Test
  void should_keep_a_deployed_functions_memory_when_the_default_is_smaller() throws Exception {
    // Deployed when 512 MB was the default.
    deployOk("--no-snapstart", "--memory", "512");

    useConfig("ci"); // a machine that has never deployed: only the function says 512
    JsonNode plan = dryRunJson();
    assertThat(plan.get("changes").asBoolean()).as("%s", plan).isFalse();
    assertThat(plan.at("/settings/memory").asText()).isEqualTo("512 MB");
    assertThat(plan.at("/cost/lambda").asDouble()).isEqualTo(33.53);
    assertThat(plan.at("/cost/defaultLambda").asDouble()).isEqualTo(16.87);

    assertThat(deployOk().out()).contains("No changes");
    try (var aws =
        new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      var fn = aws.lambda().getFunctionConfiguration(x -> x.functionName("novaproxy-proxy"));
      assertThat(fn.memorySize()).isEqualTo(512);
    }

    // Smaller only when asked.
    assertThat(deployOk("--memory", "256").out()).doesNotContain("No changes");
    try (var aws =
        new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()))) {
      var fn = aws.lambda().getFunctionConfiguration(x -> x.functionName("novaproxy-proxy"));
      assertThat(fn.memorySize()).isEqualTo(256);
    }
  }
}
