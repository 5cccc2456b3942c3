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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Whose secret it is: setup takes over an existing secret only with --adopt, destroy
 * --delete-secret deletes only a secret setup created (with a recovery window), and setup brings
 * back a secret scheduled for deletion. Through the command line, against moto.
 */
@ExtendWith(MotoServer.class)
class SecretOwnershipTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "backend/NovaApiKey";
  private static final String KEY = "nova-key-0123456789abcdef";
  private static final String TUTORIAL_KEY = "the-tutorial-backends-key";

  @TempDir Path dir;
  private Path config;
  private AwsClients aws;

  @BeforeEach
  void setUp() {
    config = dir.resolve("cfg/config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private static String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private static CliRun setup(String key, String... extra) {
    List<String> a = new ArrayList<>(List.of("setup", "--api-key-stdin"));
    a.addAll(List.of(extra));
    return CliRun.runWithStdin(key + "\n", args(a.toArray(String[]::new)));
  }

  /** The seed tutorial's secret: made outside novaproxy, so without any novaproxy tag. */
  private void tutorialSecret() {
    aws.secrets().createSecret(x -> x.name(SECRET).secretString(TUTORIAL_KEY));
  }

  private String value() {
    return aws.secrets().getSecretValue(x -> x.secretId(SECRET)).secretString();
  }

  private DescribeSecretResponse describe() {
    return aws.secrets().describeSecret(x -> x.secretId(SECRET));
  }

  private Map<String, String> tags() {
    return describe().tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  private static void assertNoKey(CliRun r) {
    assertThat(r.out()).doesNotContain(KEY).doesNotContain(TUTORIAL_KEY);
    assertThat(r.err()).doesNotContain(KEY).doesNotContain(TUTORIAL_KEY);
  }

  @Test
  void should_refuse_a_secret_it_did_not_create_without_adopt_and_write_nothing() {
    tutorialSecret();
    CliRun r = setup(KEY);
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err().lines().count()).as("%s", r).isEqualTo(1);
    assertThat(r.err())
        .startsWith("novaproxy: The secret backend/NovaApiKey exists and was not created by")
        .contains("--adopt")
        .contains("--secret-name");
    assertThat(r.out()).isEmpty();
    assertNoKey(r);
    assertThat(value()).isEqualTo(TUTORIAL_KEY);
    assertThat(tags()).isEmpty();
    assertThat(config).doesNotExist();
  }

  @Test
  void should_adopt_a_secret_with_adopt_and_never_delete_it() throws Exception {
    tutorialSecret();
    CliRun adopt = setup(KEY, "--adopt", "-o", "json");
    assertThat(adopt.exitCode()).as("%s", adopt).isZero();
    JsonNode json = JSON.readTree(adopt.out());
    assertThat(json.get("created").asBoolean()).isFalse();
    assertThat(json.get("adopted").asBoolean()).isTrue();
    assertThat(value()).isEqualTo(KEY);
    assertThat(tags()).containsExactly(Map.entry("novaproxy:adopted", "true"));
    assertNoKey(adopt);

    // Adopted once is enough: the next setup updates it without --adopt, and still as adopted.
    CliRun again = setup("second-key-42");
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.out()).contains("Updated secret backend/NovaApiKey").contains("adopted");
    assertThat(value()).isEqualTo("second-key-42");
    assertThat(tags()).containsExactly(Map.entry("novaproxy:adopted", "true"));

    // An adopted secret is a working one.
    Path code = TestZip.write(dir, "code");
    CliRun deploy = CliRun.run(args("deploy", "--artifact", code.toString(), "--no-snapstart"));
    assertThat(deploy.exitCode()).as("%s", deploy).isZero();
    CliRun status = CliRun.run(args("status", "-o", "json"));
    assertThat(status.exitCode()).as("%s", status).isZero();
    JsonNode secret = JSON.readTree(status.out()).get("resources").get(0);
    assertThat(secret.get("kind").asText()).isEqualTo("secret");
    assertThat(secret.get("present").asBoolean()).isTrue();

    CliRun destroy = CliRun.run(args("destroy", "--yes", "--delete-secret", "-o", "json"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(destroy.err())
        .contains(
            "secret backend/NovaApiKey: kept: it was adopted with setup --adopt, and destroy deletes only a secret setup created");
    JsonNode d = JSON.readTree(destroy.out());
    assertThat(d.get("secretKept").asBoolean()).isTrue();
    assertThat(d.get("secret").get("action").asText()).isEqualTo("kept");
    assertThat(d.get("secret").get("reason").asText()).isEqualTo("adopted");
    assertThat(d.get("secret").get("deletionDate").isNull()).isTrue();
    assertThat(d.get("deleted"))
        .extracting(n -> n.get("resource").asText())
        .containsExactly("api", "stream-url", "function", "role");
    assertThat(describe().deletedDate()).isNull();
    assertThat(value()).isEqualTo("second-key-42");
  }

  @Test
  void should_not_need_adopt_for_a_secret_setup_created() {
    CliRun first = setup(KEY);
    assertThat(first.exitCode()).as("%s", first).isZero();
    assertThat(first.out()).contains("Created secret backend/NovaApiKey");
    CliRun again = setup("second-key-42", "--adopt");
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(value()).isEqualTo("second-key-42");
    // Still ours, so destroy --delete-secret may delete it: --adopt does not demote it.
    assertThat(tags()).containsExactly(Map.entry("novaproxy:name", "novaproxy"));
  }

  @Test
  void should_leave_a_secret_it_did_not_create_on_destroy_and_say_so() throws Exception {
    tutorialSecret();
    CliRun text = CliRun.run(args("destroy", "--yes", "--delete-secret"));
    assertThat(text.exitCode()).as("%s", text).isZero();
    assertThat(text.err())
        .contains(
            "secret backend/NovaApiKey: kept: it was not created by novaproxy (no novaproxy:name=novaproxy tag)");
    CliRun json = CliRun.run(args("destroy", "--yes", "--delete-secret", "-o", "json"));
    JsonNode d = JSON.readTree(json.out());
    assertThat(d.get("secretKept").asBoolean()).isTrue();
    assertThat(d.get("secret").get("reason").asText()).isEqualTo("notOurs");
    assertThat(describe().deletedDate()).isNull();
    assertThat(value()).isEqualTo(TUTORIAL_KEY);
  }

  @Test
  void should_schedule_deletion_with_a_recovery_window_and_setup_should_restore_it()
      throws Exception {
    assertThat(setup(KEY).exitCode()).isZero();

    CliRun destroy = CliRun.run(args("destroy", "--yes", "--delete-secret"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    DescribeSecretResponse pending = describe();
    assertThat(pending.deletedDate()).as("scheduled, not deleted at once").isNotNull();
    String date =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC)
            .format(pending.deletedDate());
    assertThat(destroy.err())
        .contains(
            "secret backend/NovaApiKey: scheduled for deletion on "
                + date
                + "; 'novaproxy setup' restores it until then");

    // Once more: already scheduled, said so, same date, nothing else asked of AWS.
    CliRun twice = CliRun.run(args("destroy", "--yes", "--delete-secret", "-o", "json"));
    assertThat(twice.exitCode()).as("%s", twice).isZero();
    assertThat(twice.err())
        .contains("secret backend/NovaApiKey: already scheduled for deletion on");
    JsonNode t = JSON.readTree(twice.out());
    assertThat(t.get("secretKept").asBoolean()).isFalse();
    assertThat(t.get("secret").get("action").asText()).isEqualTo("scheduledForDeletion");
    assertThat(t.get("secret").get("deletionDate").asText())
        .isEqualTo(pending.deletedDate().toString());

    CliRun restore = setup("second-key-42");
    assertThat(restore.exitCode()).as("%s", restore).isZero();
    assertThat(restore.out()).contains("restored");
    assertThat(describe().deletedDate()).isNull();
    assertThat(value()).isEqualTo("second-key-42");
    assertThat(tags()).containsExactly(Map.entry("novaproxy:name", "novaproxy"));
  }

  @Test
  void should_report_the_deletion_date_in_json() throws Exception {
    assertThat(setup(KEY).exitCode()).isZero();
    CliRun destroy = CliRun.run(args("destroy", "--yes", "--delete-secret", "-o", "json"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    JsonNode d = JSON.readTree(destroy.out());
    assertThat(d.get("secretKept").asBoolean()).isFalse();
    assertThat(d.get("secret").get("name").asText()).isEqualTo(SECRET);
    assertThat(d.get("secret").get("action").asText()).isEqualTo("scheduledForDeletion");
    assertThat(d.get("secret").get("deletionDate").asText())
        .isEqualTo(describe().deletedDate().toString());
    assertThat(d.get("deleted"))
        .extracting(n -> n.get("resource").asText())
        .containsExactly("secret");
  }

  @Test
  void should_describe_adopt_and_the_recovery_window_in_help() {
    CliRun setup = CliRun.run("setup", "--help");
    assertThat(setup.out()).contains("--adopt");
    CliRun destroy = CliRun.run("destroy", "--help");
    assertThat(destroy.out())
        .doesNotContain("without a recovery window")
        .contains("7-day recovery window");
  }
}
