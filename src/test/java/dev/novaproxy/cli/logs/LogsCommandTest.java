package dev.novaproxy.cli.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.lambda.HandlerUnderLog;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeNova.Reply;
import dev.novaproxy.testing.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * {@code novaproxy logs} against moto's CloudWatch Logs, reading lines the real Lambda handler
 * wrote (run here against a loopback Nova, its standard output captured and put into the log group
 * as Lambda would). moto matches JSON filter patterns against everything, so these tests also prove
 * the command's own filtering.
 */
@ExtendWith(MotoServer.class)
class LogsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceNames NAMES = new ResourceNames("novaproxy");
  private static final String STREAM = "2026/12/01/[$LATEST]0123456789abcdef";
  private static final String CHAT =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello from Lambda\"}]}";

  @TempDir Path dir;
  private AwsClients aws;
  private FakeNova nova;
  private HandlerUnderLog function;

  @BeforeEach
  void setUp() throws Exception {
    Path config = dir.resolve("config.json");
    System.setProperty(ConfigFile.PATH_PROPERTY, config.toString());
    Files.writeString(config, "{\"region\": \"us-east-1\"}");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    nova = FakeNova.start().requireKey(HandlerUnderLog.KEY);
    function = new HandlerUnderLog(nova);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    function.close();
    nova.close();
    aws.close();
  }

  private static CliRun logs(String... args) {
    List<String> all = new ArrayList<>(List.of("logs"));
    all.addAll(List.of(args));
    all.addAll(List.of("--endpoint-url", MotoServer.endpoint().toString()));
    return CliRun.run(all.toArray(String[]::new));
  }

  /** Four requests through the real handler: a chat, a stream, a 400, Nova's 429. */
  private List<String> fourRequests() throws InterruptedException {
    function.managed("chat-post.json");
    function.url("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Stream me\"}]}");
    function.managed("chat-invalid.json");
    nova.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\"}}"));
    function.api(CHAT);
    function.lastLine(4);
    return List.copyOf(function.lines);
  }

  private void createGroup() {
    aws.logs().createLogGroup(b -> b.logGroupName(NAMES.logGroup()));
    aws.logs().createLogStream(b -> b.logGroupName(NAMES.logGroup()).logStreamName(STREAM));
  }

  /** Puts lines into the group as Lambda would, {@code ago} before now, with its own lines too. */
  private void put(List<String> lines, Duration ago) {
    long t = Instant.now().minus(ago).toEpochMilli();
    List<InputLogEvent> events = new ArrayList<>();
    events.add(
        InputLogEvent.builder().timestamp(t).message("START RequestId: 6f1e Version: 3\n").build());
    for (String line : lines) {
      events.add(InputLogEvent.builder().timestamp(++t).message(line + "\n").build());
    }
    events.add(
        InputLogEvent.builder()
            .timestamp(++t)
            .message("REPORT RequestId: 6f1e Duration: 12.00 ms Billed Duration: 13 ms\n")
            .build());
    aws.logs()
        .putLogEvents(
            b -> b.logGroupName(NAMES.logGroup()).logStreamName(STREAM).logEvents(events));
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }

  private static String id(String line) {
    return json(line).path("request_id").asText();
  }

  @Test
  void should_print_each_request_readably_without_lambdas_own_lines() throws Exception {
    List<String> lines = fourRequests();
    createGroup();
    put(lines, Duration.ofMinutes(5));

    CliRun run = logs();
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
    List<String> printed = run.out().lines().toList();
    assertThat(printed).as(run.toString()).hasSize(4);
    for (int i = 0; i < 4; i++) {
      JsonNode j = json(lines.get(i));
      assertThat(printed.get(i))
          .contains(j.path("request_id").asText())
          .contains("  " + j.path("status").asInt() + "  ")
          .contains("POST " + j.path("path").asText())
          .contains(Math.round(j.path("latency_ms").asDouble()) + " ms");
    }
    JsonNode chat = json(lines.get(0));
    assertThat(printed.get(0))
        .contains(chat.path("model").asText())
        .contains(
            "tokens "
                + chat.path("usage").path("prompt_tokens").asInt()
                + "+"
                + chat.path("usage").path("completion_tokens").asInt())
        .contains("(Nova ");
    assertThat(printed.get(1)).contains("stream").contains(" first ");
    assertThat(printed.get(2)).contains("error " + json(lines.get(2)).path("error").asText());
    assertThat(run.out())
        .doesNotContain("START")
        .doesNotContain("REPORT")
        .doesNotContain(HandlerUnderLog.KEY)
        .doesNotContain("Hello from Lambda");
  }

  @Test
  void should_print_the_json_lines_as_the_function_wrote_them_with_o_json() throws Exception {
    List<String> lines = fourRequests();
    createGroup();
    put(lines, Duration.ofMinutes(5));

    CliRun run = logs("-o", "json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines().toList()).isEqualTo(lines);
  }

  @Test
  void should_show_only_errors_with_errors_although_moto_matches_every_line() throws Exception {
    List<String> lines = fourRequests();
    createGroup();
    put(lines, Duration.ofMinutes(5));

    CliRun run = logs("--errors", "-o", "json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines().toList()).containsExactly(lines.get(2), lines.get(3));
  }

  @Test
  void should_find_one_request_by_its_id() throws Exception {
    List<String> lines = fourRequests();
    createGroup();
    put(lines, Duration.ofMinutes(5));

    CliRun run = logs("--request-id", id(lines.get(1)));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines().toList()).hasSize(1);
    assertThat(run.out()).contains(id(lines.get(1))).contains("stream");
  }

  @Test
  void should_exit_3_with_one_line_for_an_unknown_request_id() throws Exception {
    createGroup();
    put(fourRequests(), Duration.ofMinutes(5));

    CliRun run = logs("--request-id", "req_00000000000000000000000000000000");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip().lines()).as(run.toString()).hasSize(1);
    assertThat(run.err())
        .contains("No request req_00000000000000000000000000000000")
        .contains("--since");
  }

  @Test
  void should_refuse_what_is_not_a_request_id() {
    CliRun run = logs("--request-id", "a\"b");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("x-request-id");
  }

  @Test
  void should_say_so_on_stderr_when_no_request_matched() throws Exception {
    createGroup();
    CliRun run = logs("--since", "15m");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).as("standard output stays empty for pipes").isEmpty();
    assertThat(run.err().strip())
        .startsWith("No requests in /aws/lambda/novaproxy-proxy since ")
        .contains("--since");
    CliRun json = logs("-o", "json");
    assertThat(json.out()).isEmpty();
  }

  @Test
  void should_say_deploy_first_when_there_is_no_log_group() {
    CliRun run = logs();
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.err().strip().lines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("/aws/lambda/novaproxy-proxy").contains("deploy first");
  }

  @Test
  void should_read_as_far_back_as_since_says() throws Exception {
    List<String> lines = fourRequests();
    createGroup();
    put(lines.subList(0, 1), Duration.ofHours(3));
    put(lines.subList(1, 2), Duration.ofMinutes(20));

    assertThat(logs("-o", "json").out().lines().toList()).containsExactly(lines.get(1));
    assertThat(logs("-o", "json", "--since", "10m").out()).isEmpty();
    assertThat(logs("-o", "json", "--since", "30s").out()).isEmpty();
    assertThat(logs("-o", "json", "--since", "4h").out().lines().toList())
        .containsExactly(lines.get(0), lines.get(1));
    assertThat(logs("-o", "json", "--since", "1d").out().lines().toList()).hasSize(2);
    String instant = Instant.now().minus(Duration.ofMinutes(30)).toString();
    assertThat(logs("-o", "json", "--since", instant).out().lines().toList())
        .containsExactly(lines.get(1));
    String withOffset =
        java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(1))
            .minusHours(4)
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toString();
    assertThat(withOffset).endsWith("+01:00");
    assertThat(logs("-o", "json", "--since", withOffset).out().lines().toList()).hasSize(2);
  }

  @Test
  void should_refuse_a_bad_since_in_one_line() {
    for (String bad : new String[] {"yesterday", "1w", "-1h", "2026-13-01T00:00:00Z"}) {
      CliRun run = logs("--since", bad);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err().strip().lines()).as(run.toString()).hasSize(1);
      assertThat(run.err()).contains("30s, 15m, 1h, 2d").contains("ISO-8601");
    }
    CliRun future = logs("--since", Instant.now().plus(Duration.ofHours(1)).toString());
    assertThat(future.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(future.err()).contains("in the future");
  }

  @Test
  void should_follow_new_lines_as_they_arrive_until_stopped() throws Exception {
    List<String> first = fourRequests();
    createGroup();
    put(first.subList(0, 2), Duration.ofSeconds(30));

    CliRun.Background follow =
        CliRun.start(
            "logs", "--follow", "-o", "json", "--endpoint-url", MotoServer.endpoint().toString());
    follow.awaitOut(id(first.get(1)), Duration.ofSeconds(20));

    put(first.subList(2, 4), Duration.ZERO);
    follow.awaitOut(id(first.get(3)), Duration.ofSeconds(20));
    CliRun stopped = follow.stop();

    assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
    // Each line once, although every poll reads the last two minutes again.
    assertThat(stopped.out().lines().toList()).isEqualTo(first);
  }

  @Test
  void should_refuse_follow_with_a_request_id() {
    CliRun run = logs("--follow", "--request-id", "req_0123456789abcdef");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("drop --follow");
  }
}
