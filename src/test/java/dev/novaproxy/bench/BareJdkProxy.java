package dev.novaproxy.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;

/**
 * Benchmark reference, not a product: the barest proxy that can be made of the two JDK parts {@code
 * serve} is built on, the JDK HTTP server in front of the JDK HttpClient, configured as serve
 * configures them, with no validation, policy, key, timeouts or logging. Whatever it costs, serve
 * cannot cost less; {@code bench/proxy-overhead} runs it beside serve and nginx.
 *
 * <p>Usage: {@code BareJdkProxy <listen-port> <upstream-port>} (loopback only).
 */
public final class BareJdkProxy {
  public static void main(String[] args) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpClient client =
        HttpClient.newBuilder()
            .executor(Runnable::run)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    URI upstream = URI.create("http://127.0.0.1:" + args[1] + "/v1/chat/completions");
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 1024);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            HttpResponse<byte[]> answer =
                client.send(
                    HttpRequest.newBuilder(upstream)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                        .header("Content-Type", "application/json")
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
            exchange.getResponseBody().write(answer.body());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(256));
    server.start();
  }
}
