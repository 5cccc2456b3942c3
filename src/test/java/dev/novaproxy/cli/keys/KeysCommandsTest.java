package dev.novaproxy.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.LimitsStore.Increment;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.proxy.ClientAuth;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys create, list, revoke, usage} through the command line against moto. The key is shown
 * once, on create's standard output, and nowhere else: not in any other output, the table or the
 * config file.
 */
@ExtendWith(MotoServer.class)
class KeysCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TABLE = "novaproxy-keys";

  @TempDir Path dir;
  private Path config;
  private AwsClients aws;
  private final List<CliRun> runs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    config = dir.resolve("config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    Files.writeString(config, "{\"region\": \"us-east-1\"}");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private void deployTable() {
    new KeysTable(
            aws, new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
        .apply(
            new KeysTable.Desired(TABLE, true, new ResourceNames("novaproxy").tags()),
            Optional.empty(),
            PlanStep.create(KeysTable.RESOURCE, TABLE));
  }

  private CliRun keys(String... args) {
    List<String> all = new ArrayList<>(List.of("keys"));
    all.addAll(List.of(args));
    all.addAll(List.of("--endpoint-url", MotoServer.endpoint().toString()));
    CliRun r = CliRun.run(all.toArray(String[]::new));
    runs.add(r);
    return r;
  }

  private CliRun ok(String... args) {
    CliRun r = keys(args);
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r;
  }

  private static JsonNode json(CliRun r) throws Exception {
    return JSON.readTree(r.out());
  }

  private DynamoLimitsStore store() {
    return new DynamoLimitsStore(aws.dynamodb(), TABLE);
  }

  @Test
  void should_say_run_deploy_first_when_there_is_no_table() {
    for (String[] command :
        List.of(
            new String[] {"create", "web-app"},
            new String[] {"list"},
            new String[] {"revoke", "web-app"},
            new String[] {"usage"})) {
      CliRun r = keys(command);
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip())
          .isEqualTo(
              "novaproxy: The deployment 'novaproxy' in us-east-1 has no keys table"
                  + " (novaproxy-keys); run 'novaproxy deploy' first ('novaproxy deploy --keys' for"
                  + " a deployment made without one).");
    }
  }

  @Test
  void should_print_the_key_once_and_keep_only_its_hash() throws Exception {
    deployTable();
    CliRun created =
        ok(
            "create",
            "web-app",
            "--rpm",
            "60",
            "--tokens-per-day",
            "200000",
            "--expires",
            "2099-12-31");
    String key = created.out().strip();
    assertThat(created.out().lines()).hasSize(1);
    assertThat(key).matches("np_[A-Za-z0-9_-]{43}");
    assertThat(created.err())
        .contains(
            "Created key web-app in novaproxy-keys: 60 requests/min, 200000 tokens/day, models"
                + " any, expires 2100-01-01T00:00:00Z.")
        .contains("This is the only time the key is shown")
        .doesNotContain(key);

    String hash = ClientAuth.sha256Hex(key);
    ClientKey stored = store().findKey(hash).orElseThrow();
    assertThat(stored.name()).isEqualTo("web-app");
    assertThat(stored.rpm()).isEqualTo(60);
    assertThat(stored.tokensPerDay()).isEqualTo(200_000L);
    assertThat(stored.expires()).isEqualTo(Instant.parse("2100-01-01T00:00:00Z"));

    CliRun asJson =
        ok("create", "partner", "--models", "nova-2-pro-v1,nova-2-lite-v1", "-o", "json");
    JsonNode made = json(asJson);
    assertThat(made.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "name", "key", "table", "rpm", "tokensPerDay", "models", "expires", "created");
    String second = made.get("key").asText();
    assertThat(second).matches("np_[A-Za-z0-9_-]{43}").isNotEqualTo(key);
    assertThat(made.get("models"))
        .extracting(JsonNode::asText)
        .containsExactly("nova-2-lite-v1", "nova-2-pro-v1");
    assertThat(asJson.err()).isEmpty();

    ok("list");
    ok("list", "-o", "json");
    ok("usage");
    ok("usage", "web-app", "-o", "json");
    ok("revoke", "partner", "-o", "json");

    // Shown once each, on create's standard output; nowhere else, not even as the full hash.
    for (String secret : List.of(key, second)) {
      assertThat(runs.stream().filter(r -> r.out().contains(secret))).hasSize(1);
      assertThat(runs).noneMatch(r -> r.err().contains(secret));
      assertThat(Files.readString(config)).doesNotContain(secret);
      String full = ClientAuth.sha256Hex(secret);
      assertThat(runs).noneMatch(r -> r.out().contains(full) || r.err().contains(full));
      for (var item : aws.dynamodb().scan(x -> x.tableName(TABLE)).items()) {
        assertThat(item.toString()).doesNotContain(secret);
      }
    }
  }

  @Test
  void should_refuse_a_taken_name_and_bad_values_with_a_clear_line() {
    deployTable();
    ok("create", "web-app");
    CliRun again = keys("create", "web-app");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(again.out()).isEmpty();
    assertThat(again.err().strip())
        .isEqualTo(
            "novaproxy: A key named web-app exists in novaproxy-keys (revoked keys keep their"
                + " names); choose another name.");

    for (String[] bad :
        List.of(
            new String[] {"create", "web app"},
            new String[] {"create", "-x"},
            new String[] {"create", "a#b"},
            new String[] {"create", "ok", "--rpm", "0"},
            new String[] {"create", "ok", "--tokens-per-day", "-1"},
            new String[] {"create", "ok", "--rpm", "many"},
            new String[] {"create", "ok", "--models", "nova 2"},
            new String[] {"create", "ok", "--expires", "2020-01-01"},
            new String[] {"create", "ok", "--expires", "next week"},
            new String[] {"create"},
            new String[] {"usage", "--days", "0"})) {
      CliRun r = keys(bad);
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).as("%s", r).isEmpty();
      assertThat(r.err()).as("%s", r).startsWith("novaproxy: ");
    }
    assertThat(keys("create", "ok", "--expires", "next week").err())
        .contains("--expires takes a day such as 2026-12-31 or an instant");
    assertThat(store().listKeys()).extracting(ClientKey::name).containsExactly("web-app");
  }

  @Test
  void should_list_states_limits_last_use_and_tokens_today() throws Exception {
    deployTable();
    ok("create", "web-app", "--rpm", "60");
    ok("create", "old");
    store()
        .createKey(
            new ClientKey(
                "lapsed",
                "e".repeat(64),
                null,
                null,
                Set.of(),
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2025-12-01T00:00:00Z"),
                null));
    ok("revoke", "old");
    // What the limits core counts for a request of web-app: its rate and its tokens today.
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    Instant tomorrow = Instant.now().plus(Duration.ofDays(2));
    store()
        .reserve(
            List.of(
                Increment.within("rpm#key:web-app#202611301205", 1, 60, tomorrow),
                Increment.always("tokens#key:web-app#" + today, 1234, tomorrow)));

    JsonNode list = json(ok("list", "-o", "json"));
    assertThat(list.get("table").asText()).isEqualTo(TABLE);
    assertThat(list.get("keys"))
        .extracting(k -> k.get("name").asText() + " " + k.get("state").asText())
        .containsExactly("lapsed expired", "web-app active", "old revoked");
    JsonNode web = list.get("keys").get(1);
    assertThat(fields(web))
        .containsExactlyInAnyOrder(
            "name",
            "rpm",
            "tokensPerDay",
            "models",
            "expires",
            "created",
            "state",
            "revoked",
            "lastUsed",
            "tokensToday");
    assertThat(web.get("rpm").asInt()).isEqualTo(60);
    assertThat(web.get("tokensToday").asLong()).isEqualTo(1234);
    assertThat(Instant.parse(web.get("lastUsed").asText()))
        .isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now());
    assertThat(list.get("keys").get(2).get("lastUsed").isNull()).isTrue();

    CliRun text = ok("list");
    assertThat(text.out())
        .containsPattern("web-app\\s+active\\s+60\\s+-\\s+any\\s+never")
        .containsPattern("old\\s+revoked")
        .containsPattern("lapsed\\s+expired");
    assertThat(text.out().lines().filter(l -> l.startsWith("web-app")).findFirst().orElseThrow())
        .endsWith(" 1234");
  }

  @Test
  void should_revoke_once_and_say_so_after() throws Exception {
    deployTable();
    String key = ok("create", "web-app").out().strip();
    CliRun revoked = ok("revoke", "web-app");
    assertThat(revoked.out()).contains("Revoked key web-app; the proxy refuses it within a minute");
    Instant when = store().findKey(ClientAuth.sha256Hex(key)).orElseThrow().revoked();
    assertThat(when).isNotNull();

    JsonNode again = json(ok("revoke", "web-app", "-o", "json"));
    assertThat(again.get("alreadyRevoked").asBoolean()).isTrue();
    assertThat(again.get("revoked").asText()).isEqualTo(when.toString());
    assertThat(store().findKey(ClientAuth.sha256Hex(key)).orElseThrow().revoked()).isEqualTo(when);

    CliRun unknown = keys("revoke", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(unknown.err())
        .contains("No key named nobody in novaproxy-keys; 'novaproxy keys list' shows the keys.");
  }

  @Test
  void should_show_tokens_per_key_and_day_and_the_deployments_total() throws Exception {
    deployTable();
    ok("create", "web-app");
    ok("create", "partner");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Instant later = Instant.now().plus(Duration.ofDays(40));
    store()
        .settle(
            List.of(
                Increment.always("tokens#key:web-app#" + today, 500, later),
                Increment.always("tokens#key:web-app#" + today.minusDays(2), 300, later),
                Increment.always("tokens#key:web-app#" + today.minusDays(20), 9999, later),
                Increment.always("tokens#key:partner#" + today, 70, later),
                Increment.always("tokens#budget#" + today, 900, later)));

    JsonNode all = json(ok("usage", "-o", "json"));
    assertThat(fields(all)).containsExactlyInAnyOrder("table", "from", "to", "keys", "deployment");
    assertThat(all.get("from").asText()).isEqualTo(today.minusDays(6).toString());
    assertThat(all.get("keys"))
        .extracting(k -> k.get("name").asText() + " " + k.get("tokens").asLong())
        .containsExactly("web-app 800", "partner 70");
    assertThat(all.get("keys").get(0).get("days")).hasSize(7);
    assertThat(all.get("deployment"))
        .extracting(d -> d.get("day").asText() + " " + d.get("tokens").asLong())
        .containsExactly(today + " 900");

    JsonNode month = json(ok("usage", "web-app", "--days", "30", "-o", "json"));
    assertThat(month.get("keys")).hasSize(1);
    assertThat(month.get("keys").get(0).get("tokens").asLong()).isEqualTo(10_799);

    CliRun text = ok("usage", "web-app", "--days", "3");
    assertThat(text.out())
        .containsPattern("web-app\\s+" + today + "\\s+500")
        .containsPattern("web-app\\s+" + today.minusDays(2) + "\\s+300")
        .containsPattern("web-app\\s+total\\s+800");

    CliRun unknown = keys("usage", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void should_name_the_cause_when_aws_cannot_be_reached() throws Exception {
    int closed;
    try (var socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    CliRun r =
        CliRun.run(
            "keys",
            "list",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:" + closed);
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).startsWith("novaproxy: Cannot reach AWS at 127.0.0.1:" + closed);
  }

  private static Set<String> fields(JsonNode node) {
    Set<String> out = new TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
