package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.CliRun;
import org.junit.jupiter.api.Test;

/** {@code serve}'s refusals, which happen before it listens or asks for a key. */
class ServeCommandTest {
  @Test
  void should_refuse_an_upstream_host_that_is_not_the_nova_api_naming_the_flag() {
    CliRun run =
        CliRun.run("serve", "--port", "0", "--upstream-url", "https://nova.internal.example/v1");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err().strip().lines()).as(run.toString()).hasSize(1);
    assertThat(run.err())
        .contains("nova.internal.example, which is not the Nova API")
        .contains("--allow-upstream-host nova.internal.example");
  }

  @Test
  void should_refuse_user_info_in_the_upstream_url_without_printing_it() {
    for (String url :
        new String[] {
          "https://alice:pw-s3cret@api.nova.amazon.com/v1",
          "https://alice:pw s3cret@api.nova.amazon.com/v1"
        }) {
      CliRun run = CliRun.run("serve", "--port", "0", "--upstream-url", url);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.out() + run.err()).doesNotContain("s3cret").doesNotContain("alice");
    }
  }

  @Test
  void should_refuse_an_allowed_host_that_is_not_a_host_name() {
    CliRun run =
        CliRun.run(
            "serve",
            "--port",
            "0",
            "--allow-upstream-host",
            "https://nova.internal.example/v1",
            "--upstream-url",
            "https://nova.internal.example/v1");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("--allow-upstream-host").contains("host name such as");
  }
}
