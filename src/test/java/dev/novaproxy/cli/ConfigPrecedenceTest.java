package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.config.ConfigFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flags over environment over config file over defaults, through the real command model: the
 * environment is injected, the file is a temp file named by the {@code novaproxy.config} property.
 */
class ConfigPrecedenceTest {
  @TempDir Path dir;
  private Path file;
  private String savedProperty;
  private final Map<String, String> env = new HashMap<>();

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void configFile() {
    file = dir.resolve("config.json");
    savedProperty = System.getProperty(ConfigFile.PATH_PROPERTY);
    System.setProperty(ConfigFile.PATH_PROPERTY, file.toString());
  }

  @AfterEach
  void restore() {
    if (savedProperty == null) {
      System.clearProperty(ConfigFile.PATH_PROPERTY);
    } else {
      System.setProperty(ConfigFile.PATH_PROPERTY, savedProperty);
    }
  }

  private void file(String json) throws Exception {
    Files.writeString(file, json);
  }

  private Run run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Parses a command line and returns the command object picocli filled in. */
  private <T> T parsed(String... args) {
    return ParsedCommand.of(env, args);
  }

  @Test
  void should_use_defaults_when_nothing_is_set() {
    ServeCommand serve = parsed("serve");
    assertThat(serve.port).isEqualTo(8080);
    assertThat(serve.host).isEqualTo("127.0.0.1");
    assertThat(serve.settings().upstreamUrl())
        .isEqualTo(URI.create("https://api.nova.amazon.com/v1"));
    assertThat(serve.policy.toPolicy().defaultModel()).isEqualTo("nova-2-lite-v1");
    assertThat(serve.global.name).isNull();
  }

  @Test
  void should_take_the_file_over_defaults() throws Exception {
    file(
        "{\"port\":9001,\"host\":\"0.0.0.0\",\"defaultModel\":\"nova-2-pro-v1\",\"allowModels\":[\"nova-2-pro-v1\",\"nova-2-lite-v1\"],"
            + "\"allowOrigins\":[\"https://app.example.com\"],\"maxTokensCap\":512,\"upstreamUrl\":\"http://127.0.0.1:1/v1\",\"name\":\"fromfile\"}");
    ServeCommand serve = parsed("serve");
    assertThat(serve.port).isEqualTo(9001);
    assertThat(serve.host).isEqualTo("0.0.0.0");
    var policy = serve.policy.toPolicy();
    assertThat(policy.defaultModel()).isEqualTo("nova-2-pro-v1");
    assertThat(policy.allowedModels()).containsExactlyInAnyOrder("nova-2-pro-v1", "nova-2-lite-v1");
    assertThat(policy.allowedOrigins()).containsExactly("https://app.example.com");
    assertThat(policy.maxTokensCap()).isEqualTo(512);
    assertThat(serve.settings().upstreamUrl()).isEqualTo(URI.create("http://127.0.0.1:1/v1"));
    assertThat(serve.global.name).isEqualTo("fromfile");
  }

  @Test
  void should_take_the_environment_over_the_file() throws Exception {
    file(
        "{\"port\":9001,\"defaultModel\":\"nova-2-pro-v1\",\"upstreamUrl\":\"http://127.0.0.1:1/v1\",\"name\":\"fromfile\",\"url\":\"http://127.0.0.1:7/\"}");
    env.put("NOVAPROXY_PORT", "9002");
    env.put("NOVAPROXY_DEFAULT_MODEL", "nova-2-lite-v1");
    env.put("NOVA_UPSTREAM_URL", "http://127.0.0.1:2/v1");
    env.put("NOVAPROXY_NAME", "fromenv");
    env.put("NOVAPROXY_URL", "http://127.0.0.1:8/");
    ServeCommand serve = parsed("serve");
    assertThat(serve.port).isEqualTo(9002);
    assertThat(serve.policy.toPolicy().defaultModel()).isEqualTo("nova-2-lite-v1");
    assertThat(serve.settings().upstreamUrl()).isEqualTo(URI.create("http://127.0.0.1:2/v1"));
    assertThat(serve.global.name).isEqualTo("fromenv");
    ChatCommand chat = parsed("chat");
    assertThat(chat.url).isEqualTo("http://127.0.0.1:8/");
  }

  @Test
  void should_take_flags_over_everything() throws Exception {
    file(
        "{\"port\":9001,\"allowOrigins\":[\"https://file.example.com\"],\"name\":\"fromfile\",\"region\":\"eu-west-1\"}");
    env.put("NOVAPROXY_PORT", "9002");
    env.put("NOVAPROXY_ALLOW_ORIGINS", "https://env.example.com,https://env2.example.com");
    env.put("NOVAPROXY_NAME", "fromenv");
    env.put("AWS_REGION", "eu-central-1");
    ServeCommand serve =
        parsed(
            "serve",
            "--port",
            "9003",
            "--allow-origin",
            "https://flag.example.com",
            "--name",
            "fromflag",
            "--region",
            "us-west-2");
    assertThat(serve.port).isEqualTo(9003);
    assertThat(serve.policy.toPolicy().allowedOrigins())
        .containsExactly("https://flag.example.com");
    assertThat(serve.global.name).isEqualTo("fromflag");
    assertThat(serve.global.region).isEqualTo("us-west-2");
    ServeCommand fromEnv = parsed("serve");
    assertThat(fromEnv.policy.toPolicy().allowedOrigins())
        .containsExactly("https://env.example.com", "https://env2.example.com");
    // Region, profile and endpoint are AwsLocation's to resolve (the profile's region ranks
    // between the environment and the file): flags, then environment, then file.
    assertThat(fromEnv.global.region).isNull();
    assertThat(region(fromEnv)).isEqualTo("eu-central-1");
    assertThat(region(serve)).isEqualTo("us-west-2");
    env.remove("AWS_REGION");
    env.put("AWS_PROFILE", "no-such-profile-in-tests");
    assertThat(region(parsed("serve"))).isEqualTo("eu-west-1");
  }

  private String region(ServeCommand serve) {
    return AwsContext.resolve(serve.global, null, env, new ConfigFile(file)).location().region();
  }

  @Test
  void should_give_settings_only_to_the_commands_they_belong_to() throws Exception {
    file(
        "{\"upstreamUrl\":\"http://127.0.0.1:1/v1\",\"url\":\"http://127.0.0.1:7/\",\"secretName\":\"team/Key\"}");
    ChatCommand chat = parsed("chat", "--local");
    // chat's --upstream-url only works with --local and is not a saved setting; --url is.
    assertThat(chat.upstreamUrl).isNull();
    assertThat(chat.url).isEqualTo("http://127.0.0.1:7/");
    StatusCommand status = parsed("status");
    assertThat(status.url)
        .as("status --url means --smoke; a saved URL must not switch it on")
        .isNull();
    assertThat(status.secretName).isEqualTo("team/Key");
    ServeCommand serve = parsed("serve");
    assertThat(serve.secretName).as("serve reads a secret only when asked").isNull();
  }

  @Test
  void should_not_let_a_saved_url_clash_with_chat_local() throws Exception {
    file("{\"url\":\"http://127.0.0.1:7/\"}");
    // No key here, so chat stops there: the point is that it does not complain about --url.
    Run r = run("chat", "--local", "-m", "hi");
    assertThat(r.err()).as(r.toString()).doesNotContain("--url").contains("NOVA_API_KEY");
  }

  @Test
  void should_show_each_setting_with_its_source() throws Exception {
    file("{\"region\":\"eu-west-1\",\"maxTokensCap\":256,\"allowModels\":[\"a\",\"b\"]}");
    env.put("NOVAPROXY_PORT", "9100");
    env.put("AWS_PROFILE", "no-such-profile-in-tests");
    Run r = run("config", "show", "-o", "json", "--name", "flagged");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("configFile").asText()).isEqualTo(file.toString());
    assertThat(json.get("exists").asBoolean()).isTrue();
    JsonNode s = json.get("settings");
    assertThat(s.get("name").get("value").asText()).isEqualTo("flagged");
    assertThat(s.get("name").get("source").asText()).isEqualTo("flag");
    assertThat(s.get("port").get("value").asText()).isEqualTo("9100");
    assertThat(s.get("port").get("source").asText()).isEqualTo("env");
    assertThat(s.get("port").get("from").asText()).isEqualTo("NOVAPROXY_PORT");
    assertThat(s.get("region").get("value").asText()).isEqualTo("eu-west-1");
    assertThat(s.get("region").get("source").asText()).isEqualTo("file");
    assertThat(s.get("maxTokensCap").get("value").asText()).isEqualTo("256");
    assertThat(s.get("allowModels").get("value").asText()).isEqualTo("a,b");
    assertThat(s.get("defaultModel").get("source").asText()).isEqualTo("default");
    assertThat(s.get("maxTokensCap").get("option").asText()).isEqualTo("--max-tokens-cap");
    assertThat(s.get("profile").get("env").get(0).asText()).isEqualTo("AWS_PROFILE");
    for (JsonNode setting : s) {
      assertThat(setting.fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder("value", "source", "from", "option", "env");
    }

    Run text = run("config", "show");
    assertThat(text.out())
        .containsPattern("port\\s+9100\\s+env NOVAPROXY_PORT")
        .containsPattern("region\\s+eu-west-1\\s+file");
  }

  @Test
  void should_save_settings_with_mode_0600_and_refuse_keys() throws Exception {
    assertThat(run("config", "set", "region", "ap-south-1").exitCode()).isZero();
    assertThat(run("config", "set", "maxTokensCap", "300").exitCode()).isZero();
    assertThat(run("config", "set", "allowModels", "x, y").exitCode()).isZero();
    JsonNode saved = new ObjectMapper().readTree(file.toFile());
    assertThat(saved.get("region").asText()).isEqualTo("ap-south-1");
    assertThat(saved.get("maxTokensCap").isInt()).isTrue();
    assertThat(saved.get("allowModels")).hasSize(2);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    ServeCommand serve = parsed("serve", "--allow-model", "x", "--default-model", "x");
    assertThat(serve.policy.toPolicy().maxTokensCap()).isEqualTo(300);

    for (String key : List.of("apiKey", "NOVA_API_KEY", "token", "key")) {
      Run refused = run("config", "set", key, "sk-abc123");
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(refused.err()).contains("never holds the Nova key");
    }
    Run unknown = run("config", "set", "colour", "blue");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("Unknown setting 'colour'").contains("region");
    Run notNumber = run("config", "set", "port", "eighty");
    assertThat(notNumber.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(Files.readString(file)).doesNotContain("sk-abc123").doesNotContain("eighty");

    assertThat(run("config", "unset", "region").out()).contains("Removed region");
    assertThat(new ObjectMapper().readTree(file.toFile()).has("region")).isFalse();
    assertThat(run("config", "path").out().strip()).isEqualTo(file.toString());
  }

  @Test
  void should_report_a_broken_config_file_in_one_line() throws Exception {
    file("[1, 2]");
    Run r = run("config", "show");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains(file.toString()).contains("fix or delete it");
  }

  @Test
  void should_report_a_truncated_config_file_in_one_line_with_line_and_column() throws Exception {
    file("{\"port\": 99\n");
    Run r = run("serve");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err())
        .contains(file.toString())
        .contains("line 2, column 1")
        .contains("fix or delete it")
        .doesNotContain("Source:");
  }

  private void assertRefusedAndUntouched(String key, String value, String... mentions)
      throws Exception {
    byte[] before = Files.exists(file) ? Files.readAllBytes(file) : null;
    Run r = run("config", "set", key, value);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).contains(mentions);
    if (before == null) {
      assertThat(file).doesNotExist();
    } else {
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }
  }

  @Test
  void should_refuse_to_save_a_bad_value_and_leave_the_file_as_it_was() throws Exception {
    assertRefusedAndUntouched("port", "99999", "'99999'", "0 to 65535");
    assertThat(run("config", "set", "region", "eu-west-1").exitCode()).isZero();
    assertRefusedAndUntouched("port", "-1", "'-1'", "port");
    assertRefusedAndUntouched("upstreamUrl", "http://evil.example/v1", "http", "evil.example");
    assertRefusedAndUntouched(
        "upstreamUrl", "https://evil.example/v1", "api.nova.amazon.com", "--allow-upstream-host");
    assertRefusedAndUntouched("upstreamUrl", "https://me:pw@api.nova.amazon.com/v1", "password");
    assertRefusedAndUntouched("allowOrigins", "https://a.example,app.example.com/x", "origin");
    assertRefusedAndUntouched("maxTokensCap", "0", "1 or more");
    assertRefusedAndUntouched("maxBodyBytes", "100", "1024");
    assertRefusedAndUntouched("defaultModel", "nova 2", "model name");
    assertRefusedAndUntouched("allowModels", "nova-2-lite-v1,no good", "'no good'");
    assertRefusedAndUntouched("region", "Europe", "AWS region");
    assertRefusedAndUntouched("name", "my proxy", "cannot name AWS resources");
    assertRefusedAndUntouched("endpointUrl", "localhost:5000", "endpoint URL");
    assertRefusedAndUntouched("url", "ftp://proxy.example", "proxy's URL");
    assertRefusedAndUntouched("host", "127.0.0.1 8080", "host");

    for (String[] good :
        List.of(
            new String[] {"upstreamUrl", "https://api.nova.amazon.com/v1"},
            new String[] {"upstreamUrl", "http://127.0.0.1:9/v1"},
            new String[] {"upstreamUrl", "http://localhost:9/v1"},
            new String[] {"port", "0"},
            new String[] {"port", "65535"},
            new String[] {"allowOrigins", "*"},
            new String[] {"endpointUrl", "http://127.0.0.1:5000"},
            new String[] {"url", "https://abc.execute-api.us-east-1.amazonaws.com/chat"})) {
      Run r = run("config", "set", good[0], good[1]);
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
  }

  @Test
  void should_name_the_file_not_a_flag_when_a_saved_value_is_bad() throws Exception {
    file("{\"port\": 99999}");
    Run r = run("serve");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err())
        .contains("The config file " + file + " has a bad port")
        .contains("'99999'")
        .contains("config set port")
        .doesNotContain("--port")
        .doesNotContain("Try ");

    file("{\"port\": \"eighty\"}");
    r = run("serve");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("has a bad port").doesNotContain("Invalid value for option");

    file("{\"upstreamUrl\": \"http://evil.example/v1\"}");
    r = run("deploy", "--dry-run");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("has a bad upstreamUrl").doesNotContain("--upstream-url:");
  }

  @Test
  void should_name_the_variable_when_an_environment_value_is_bad() throws Exception {
    env.put("NOVAPROXY_PORT", "99999");
    Run r = run("serve");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).startsWith("novaproxy: NOVAPROXY_PORT: '99999'").doesNotContain("--port");

    env.remove("NOVAPROXY_PORT");
    env.put("NOVA_UPSTREAM_URL", "https://evil.example/v1");
    r = run("serve");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("NOVA_UPSTREAM_URL").contains("--allow-upstream-host");
  }

  @Test
  void should_let_a_flag_help_and_config_work_while_a_saved_value_is_bad() throws Exception {
    file("{\"port\": \"eighty\", \"name\": \"not a name\"}");
    // The flag wins, so the saved port is never used: serve gets as far as asking for a key.
    Run flagged = run("serve", "--port", "0", "--name", "fine");
    assertThat(flagged.err()).as(flagged.toString()).contains("NOVA_API_KEY");
    Run help = run("serve", "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(run("config", "show").exitCode()).isZero();
    assertThat(run("config", "set", "port", "8081").exitCode()).isZero();
    assertThat(run("config", "unset", "name").exitCode()).isZero();
    ServeCommand serve = parsed("serve");
    assertThat(serve.port).isEqualTo(8081);
  }

  @Test
  void should_save_and_apply_client_token_hashes_which_are_not_credentials() throws Exception {
    String hash = dev.novaproxy.proxy.ClientAuth.sha256Hex("npc_example-token");
    Run saved = run("config", "set", "clientTokenSha256", hash);
    assertThat(saved.exitCode()).as(saved.toString()).isZero();
    assertThat(new ObjectMapper().readTree(file.toFile()).get("clientTokenSha256").get(0).asText())
        .isEqualTo(hash);
    ServeCommand serve = parsed("serve");
    var auth = serve.policy.applyTo(dev.novaproxy.proxy.ProxySettings.defaults()).clientAuth();
    assertThat(auth.hexHashes()).containsExactly(hash);
    // deploy keeps the deployment's own tokens: the file's value is not a standing flag for it
    // (it would bring back a rotated token); the environment's is.
    DeployCommand deploy = parsed("deploy");
    assertThat(deploy.policy.applyTo(dev.novaproxy.proxy.ProxySettings.defaults()).clientAuth())
        .satisfies(a -> assertThat(a.hexHashes()).isEmpty());

    String other = dev.novaproxy.proxy.ClientAuth.sha256Hex("npc_other");
    env.put("NOVAPROXY_CLIENT_TOKEN_SHA256", hash + "," + other);
    ServeCommand fromEnv = parsed("serve");
    assertThat(
            fromEnv
                .policy
                .applyTo(dev.novaproxy.proxy.ProxySettings.defaults())
                .clientAuth()
                .hexHashes())
        .containsExactly(hash, other);
    DeployCommand deployFromEnv = parsed("deploy");
    assertThat(
            deployFromEnv
                .policy
                .applyTo(dev.novaproxy.proxy.ProxySettings.defaults())
                .clientAuth()
                .hexHashes())
        .containsExactly(hash, other);

    // A token given where a hash belongs is refused, and never repeated back.
    byte[] before = Files.readAllBytes(file);
    Run token = run("config", "set", "clientTokenSha256", "npc_secret-token-value");
    assertThat(token.exitCode()).as(token.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(token.err()).contains("64 hex digits").doesNotContain("npc_secret-token-value");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(dev.novaproxy.config.Settings.looksSecret("clientTokenSha256")).isFalse();
    for (String key : List.of("clientToken", "token", "apiKey", "novaKey", "password")) {
      assertThat(dev.novaproxy.config.Settings.looksSecret(key)).as(key).isTrue();
    }
  }

  @Test
  void should_never_print_a_password_in_an_upstream_url_from_the_environment() {
    var r =
        dev.novaproxy.testing.CliRun.runWithEnv(
            Map.of("NOVA_UPSTREAM_URL", "https://u:pw-0451@api.nova.amazon.com/v1"),
            "config",
            "show");
    assertThat(r.out()).contains("https://api.nova.amazon.com/v1").doesNotContain("pw-0451");
    assertThat(r.err()).doesNotContain("pw-0451");
  }
}
