package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novaproxy.testing.MotoServer;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The function's log group against moto, where Lambda itself may make it first. */
@ExtendWith(MotoServer.class)
class LogGroupTest {
  private static final ResourceNames NAMES = new ResourceNames("loggroup-race");

  private AwsClients aws;

  @BeforeEach
  void setUp() {
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
  }

  @AfterEach
  void tearDown() {
    new LogGroup(aws).delete(NAMES);
    aws.close();
  }

  @Test
  void should_take_over_a_group_lambda_made_between_the_plan_and_the_create() {
    LogGroup groups = new LogGroup(aws);
    Optional<LogGroup.Current> planned = groups.read(NAMES.logGroup());
    assertThat(planned).isEmpty();
    // SnapStart starts the function while deploy publishes it; its first log line makes Lambda
    // create the group (the role may), after deploy read that there was none.
    aws.logs().createLogGroup(r -> r.logGroupName(NAMES.logGroup()));

    groups.apply(30, planned, NAMES);

    LogGroup.Current now = groups.read(NAMES.logGroup()).orElseThrow();
    assertThat(now.retentionDays()).isEqualTo(30);
    assertThat(NAMES.owns(now.tags())).as("tagged as deploy's own: %s", now.tags()).isTrue();
  }
}
