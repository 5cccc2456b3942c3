package dev.novaproxy.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which proxy URLs doctor checks. Apart from the network, because a deployment in moto has URLs
 * under amazonaws.com and on.aws, which tests must not call.
 */
class DoctorTargetsTest {
  private static final String API = "https://abc.execute-api.us-east-1.amazonaws.com/chat";
  private static final String STREAM = "https://xyz.lambda-url.us-east-1.on.aws/chat";

  private static Doctor.Options options(String url) {
    return new Doctor.Options(
        false,
        url,
        "https://saved.example/chat",
        "https://saved-stream.example/chat",
        URI.create("https://api.nova.amazon.com/v1"),
        Duration.ofSeconds(5));
  }

  @Test
  void should_check_the_deployed_urls_as_aws_reports_them() {
    assertThat(Doctor.targets(options(null), true, API, STREAM))
        .containsExactly(
            new Doctor.Target("proxy-url", API, "deployed", null),
            new Doctor.Target("stream-url", STREAM, "deployed", null));
  }

  @Test
  void should_not_check_saved_urls_when_aws_says_nothing_is_deployed() {
    assertThat(Doctor.targets(options(null), true, null, null))
        .extracting(Doctor.Target::url)
        .containsOnlyNulls();
  }

  @Test
  void should_fall_back_to_the_saved_urls_without_aws() {
    assertThat(Doctor.targets(options(null), false, null, null))
        .containsExactly(
            new Doctor.Target("proxy-url", "https://saved.example/chat", "saved by deploy", null),
            new Doctor.Target(
                "stream-url", "https://saved-stream.example/chat", "saved by deploy", null));
  }

  @Test
  void should_check_only_the_given_url() {
    assertThat(Doctor.targets(options("http://127.0.0.1:8080"), true, API, STREAM))
        .containsExactly(
            new Doctor.Target("proxy-url", "http://127.0.0.1:8080", "--url", null),
            new Doctor.Target("stream-url", null, null, "--url checks that URL only"));
  }
}
