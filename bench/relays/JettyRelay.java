import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * For bench/serve-load (RELAYS=...): the barest streaming relay made of serve's server (Jetty 12,
 * configured as serve configures it) and an upstream client, the JDK's {@code HttpClient} as serve
 * uses it ({@code jdk}) or Jetty's ({@code jetty}). No validation, key, limits or logging: the floor
 * of what a proxy built of these parts costs. Each upstream chunk is written when the one before has
 * been taken, as serve does.
 *
 * <p>Usage: {@code JettyRelay jdk|jetty PORT UPSTREAM_CHAT_URL}
 */
public final class JettyRelay {
  public static void main(String[] args) throws Exception {
    boolean jettyClient = args[0].equals("jetty");
    int port = Integer.parseInt(args[1]);
    URI upstream = URI.create(args[2]);
    QueuedThreadPool pool = new QueuedThreadPool(8000 + 64, 8, 30_000);
    pool.setDaemon(true);
    Server server = new Server(pool);
    ServerConnector connector =
        new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration()));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(30_000);
    server.addConnector(connector);
    // Only the client this relay measures, so that the other's threads cost it nothing.
    HttpClient jdk =
        jettyClient
            ? null
            : HttpClient.newBuilder()
                .executor(Runnable::run)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    org.eclipse.jetty.client.HttpClient jetty = jettyClient ? startJettyClient(pool) : null;
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback done)
              throws Exception {
            byte[] body = Request.asInputStream(request).readNBytes(1 << 20);
            if (jettyClient) {
              viaJetty(jetty, upstream, body, response, done);
            } else {
              viaJdk(jdk, upstream, body, response, done);
            }
            return true;
          }
        });
    server.start();
    System.out.println("listening on " + port);
    server.join();
  }

  private static org.eclipse.jetty.client.HttpClient startJettyClient(QueuedThreadPool pool)
      throws Exception {
    org.eclipse.jetty.client.HttpClient jetty = new org.eclipse.jetty.client.HttpClient();
    jetty.setMaxConnectionsPerDestination(100_000);
    jetty.setMaxRequestsQueuedPerDestination(100_000);
    jetty.setExecutor(pool);
    jetty.start();
    return jetty;
  }

  private static void viaJdk(
      HttpClient jdk, URI upstream, byte[] body, Response response, Callback done) {
    HttpRequest request =
        HttpRequest.newBuilder(upstream)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer bench")
            .build();
    jdk.sendAsync(
            request,
            info ->
                HttpResponse.BodySubscribers.fromSubscriber(
                    new Flow.Subscriber<List<ByteBuffer>>() {
                      private Flow.Subscription subscription;

                      @Override
                      public void onSubscribe(Flow.Subscription s) {
                        subscription = s;
                        response.setStatus(info.statusCode());
                        response.getHeaders().put("Content-Type", "text/event-stream");
                        response.write(false, ByteBuffer.allocate(0), next());
                      }

                      @Override
                      public void onNext(List<ByteBuffer> buffers) {
                        ByteBuffer all;
                        if (buffers.size() == 1) {
                          all = buffers.get(0);
                        } else {
                          int size = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
                          all = ByteBuffer.allocate(size);
                          buffers.forEach(all::put);
                          all.flip();
                        }
                        response.write(false, all, next());
                      }

                      private Callback next() {
                        return Callback.from(
                            () -> subscription.request(1),
                            failure -> {
                              subscription.cancel();
                              done.failed(failure);
                            });
                      }

                      @Override
                      public void onError(Throwable failure) {
                        done.failed(failure);
                      }

                      @Override
                      public void onComplete() {
                        response.write(true, ByteBuffer.allocate(0), done);
                      }
                    }))
        .exceptionally(
            failure -> {
              done.failed(failure);
              return null;
            });
  }

  private static void viaJetty(
      org.eclipse.jetty.client.HttpClient jetty,
      URI upstream,
      byte[] body,
      Response response,
      Callback done) {
    jetty
        .newRequest(upstream)
        .method("POST")
        .headers(h -> h.put("Authorization", "Bearer bench"))
        .body(new org.eclipse.jetty.client.BytesRequestContent("application/json", body))
        .onResponseContentSource(
            (answer, source) -> {
              response.setStatus(answer.getStatus());
              response.getHeaders().put("Content-Type", "text/event-stream");
              response.write(
                  false,
                  ByteBuffer.allocate(0),
                  Callback.from(() -> pump(source, response, done), done::failed));
            })
        .send(
            result -> {
              if (result.isFailed()) {
                done.failed(result.getFailure());
              }
            });
  }

  /** Reads the upstream's next chunk when the client has taken the one before. */
  private static void pump(Content.Source source, Response response, Callback done) {
    while (true) {
      Content.Chunk chunk = source.read();
      if (chunk == null) {
        source.demand(() -> pump(source, response, done));
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        done.failed(chunk.getFailure());
        return;
      }
      boolean last = chunk.isLast();
      if (chunk.hasRemaining() || last) {
        response.write(
            last,
            chunk.getByteBuffer(),
            Callback.from(
                () -> {
                  chunk.release();
                  if (last) {
                    done.succeeded();
                  } else {
                    pump(source, response, done);
                  }
                },
                failure -> {
                  chunk.release();
                  done.failed(failure);
                }));
        return;
      }
      chunk.release();
    }
  }
}
