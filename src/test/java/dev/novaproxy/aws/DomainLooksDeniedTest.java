package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An identity without API Gateway domain or ACM permissions (one that never used --domain): a
 * loopback server denies every call as those services do (API Gateway: HTTP 403 with {@code
 * x-amzn-ErrorType AccessDeniedException}; ACM, a JSON protocol: HTTP 400 with {@code __type
 * AccessDeniedException}, as DynamoDB in KeysAccessDeniedTest). The looks that every deploy, status
 * and destroy make must find no domain rather than fail those commands.
 */
class DomainLooksDeniedTest {
  private HttpServer server;
  private final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
          asked.add(target != null ? target : ex.getRequestMethod() + " " + ex.getRequestURI());
          byte[] body;
          int status;
          if (target != null) {
            status = 400;
            body =
                ("{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform:"
                        + " acm:ListCertificates\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
          } else {
            status = 403;
            body =
                "{\"message\":\"not authorized to perform: apigateway:GET\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("x-amzn-ErrorType", "AccessDeniedException");
          }
          ex.sendResponseHeaders(status, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void should_find_no_domain_when_the_looks_are_denied() {
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    try (var aws = new AwsClients(new AwsLocation("us-east-1", null, endpoint))) {
      var domain = new DomainDeployment(aws, new ResourceNames("novaproxy"));
      assertThat(domain.observe()).isEmpty();
      assertThat(new DomainStatus(aws, new ResourceNames("novaproxy")).read(null).resources())
          .isEmpty();
      assertThat(DomainRemoval.steps(new DomainRemoval(aws, new ResourceNames("novaproxy")).find()))
          .isEmpty();
      // Without a domain wanted or found, deploy plans nothing and calls nothing more.
      assertThat(domain.plan(null, java.util.Optional.empty(), null).steps()).isEmpty();
    }
    assertThat(asked)
        .anyMatch(a -> a.startsWith("GET /v2/domainnames"))
        .anyMatch(a -> a.endsWith("ListCertificates"));
  }
}
