package dev.novaproxy.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.cli.ExitCodes;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deployer allowed to see the keys table but not to read its items: a loopback server answers as
 * DynamoDB does (the table and its tag, then AccessDeniedException for the Scan), and {@code keys
 * list} must say which action to grant and exit 5, as every other AWS command does.
 */
class KeysAccessDeniedTest {
  private static final String ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/novaproxy-keys";
  private HttpServer dynamo;

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    dynamo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    dynamo.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
          int status = 200;
          String body;
          if (target.endsWith(".DescribeTable")) {
            body =
                "{\"Table\":{\"TableName\":\"novaproxy-keys\",\"TableArn\":\""
                    + ARN
                    + "\",\"TableStatus\":\"ACTIVE\"}}";
          } else if (target.endsWith(".ListTagsOfResource")) {
            body = "{\"Tags\":[{\"Key\":\"novaproxy:name\",\"Value\":\"novaproxy\"}]}";
          } else {
            status = 400;
            body =
                "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User:"
                    + " arn:aws:iam::123456789012:user/dev is not authorized to perform:"
                    + " dynamodb:Scan on resource: "
                    + ARN
                    + " because no identity-based policy allows the dynamodb:Scan action\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    dynamo.start();
  }

  @AfterEach
  void stop() {
    dynamo.stop(0);
  }

  @Test
  void should_name_the_action_to_grant_and_exit_5() {
    CliRun r =
        CliRun.run(
            "keys",
            "list",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:" + dynamo.getAddress().getPort());
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AWS_AUTH);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip())
        .isEqualTo(
            "novaproxy: Access denied for dynamodb:Scan: grant it to your AWS identity (see the IAM"
                + " policy in docs/aws.md) or use another --profile.");
  }
}
