package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * How AWS's refusals reach the user: a real loopback HTTP server answers every call the way AWS
 * does (STS's query-protocol XML error), and the CLI must print one line and exit 5.
 */
class AwsErrorsTest {
  private HttpServer aws;
  private volatile String code;
  private volatile String message;

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    aws = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    aws.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          String xml =
              "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>"
                  + code
                  + "</Code><Message>"
                  + message
                  + "</Message></Error><RequestId>1</RequestId></ErrorResponse>";
          byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/xml");
          ex.sendResponseHeaders(403, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    aws.start();
  }

  @AfterEach
  void stop() {
    aws.stop(0);
  }

  private CliRun status() {
    return CliRun.run(
        "status",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:" + aws.getAddress().getPort());
  }

  @Test
  void should_name_the_denied_action() {
    code = "AccessDenied";
    message =
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:GetCallerIdentity on resource: *";
    CliRun r = status();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
    assertThat(r.err().strip())
        .isEqualTo(
            "novaproxy: Access denied for sts:GetCallerIdentity: grant it to your AWS identity (see the IAM policy in docs/aws.md) or use another --profile.");
  }

  @Test
  void should_say_expired_credentials_need_refreshing() {
    code = "ExpiredToken";
    message = "The security token included in the request is expired";
    CliRun r = status();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
    assertThat(r.err().strip())
        .isEqualTo(
            "novaproxy: The AWS credentials have expired (ExpiredToken): refresh them, e.g. 'aws sso login', and try again.");
  }

  @Test
  void should_say_rejected_credentials_are_wrong() {
    code = "InvalidClientTokenId";
    message = "The security token included in the request is invalid.";
    CliRun r = status();
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
    assertThat(r.err()).contains("AWS rejected the credentials (InvalidClientTokenId)");
  }

  @Test
  void should_show_the_cause_only_with_verbose() {
    code = "AccessDenied";
    message = "User: x is not authorized to perform: sts:GetCallerIdentity";
    assertThat(status().err().lines().count()).isEqualTo(1);
    CliRun verbose =
        CliRun.run(
            "status",
            "-v",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:" + aws.getAddress().getPort());
    assertThat(verbose.err()).contains("StsException");
  }

  @Test
  void should_say_when_aws_cannot_be_reached() throws IOException {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun r =
        CliRun.run("status", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:" + port);
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .startsWith("novaproxy: Cannot reach AWS at 127.0.0.1:" + port + " (")
        .contains("check --endpoint-url / AWS_ENDPOINT_URL and --region, or your network.");
  }

  @Test
  void should_name_the_host_that_does_not_resolve() {
    // What the SDK's Apache client throws for a mistyped region (no DNS look-up in tests).
    var e =
        SdkClientException.builder()
            .message(
                "Unable to execute HTTP request: sts.us-eats-1.amazonaws.com: Name or service not known")
            .cause(
                new UnknownHostException("sts.us-eats-1.amazonaws.com: Name or service not known"))
            .build();
    CliException cli = AwsErrors.translate(e);
    assertThat(cli.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(cli.getMessage())
        .isEqualTo(
            "Cannot find the AWS host sts.us-eats-1.amazonaws.com: check --region (a real region, such as us-east-1) and --endpoint-url / AWS_ENDPOINT_URL, or your network.");
  }

  @Test
  void should_not_fail_on_an_error_without_code_message_or_service() {
    for (int status : new int[] {400, 403, 404, 500}) {
      var e =
          AwsServiceException.builder()
              .statusCode(status)
              .awsErrorDetails(AwsErrorDetails.builder().build())
              .build();
      CliException cli = AwsErrors.translate(e);
      assertThat(cli.getMessage()).doesNotContain("null");
      assertThat(cli.exitCode()).isEqualTo(status == 403 ? ExitCodes.AWS_AUTH : ExitCodes.FAILURE);
    }
    var bare = AwsServiceException.builder().statusCode(502).build();
    assertThat(AwsErrors.translate(bare).getMessage())
        .startsWith("AWS answered HTTP 502 without an AWS error code (AWS)");
    var noMessage =
        AwsServiceException.builder()
            .statusCode(400)
            .awsErrorDetails(
                AwsErrorDetails.builder().errorCode("Throttling").serviceName("Sts").build())
            .build();
    assertThat(AwsErrors.translate(noMessage).getMessage()).isEqualTo("Sts said Throttling.");
  }
}
