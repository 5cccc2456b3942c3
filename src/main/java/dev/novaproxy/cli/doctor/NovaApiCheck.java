package dev.novaproxy.cli.doctor;

import dev.novaproxy.proxy.NoAnswer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Can this machine reach the Nova API? {@code GET {base}/models} without a key: any HTTP answer
 * (Nova's is a 401) proves that the name resolves, a connection opens, TLS verifies the server's
 * certificate and an HTTP server answers; all without sending the key, which doctor never reads.
 */
final class NovaApiCheck {
  static final String NAME = "nova-api";

  private final Duration timeout;

  NovaApiCheck(Duration timeout) {
    this.timeout = timeout;
  }

  Finding run(URI base) {
    URI url = URI.create(base.toString().replaceAll("/+$", "") + "/models");
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    long start = System.nanoTime();
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      long ms = (System.nanoTime() - start) / 1_000_000;
      return verdict(url, r.statusCode(), ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.skip(NAME, "interrupted");
    } catch (IOException e) {
      return unreachable(url, e);
    }
  }

  private static Finding verdict(URI url, int status, long ms) {
    String answered = url + " answered HTTP " + status + " in " + ms + " ms";
    if (status == 404) {
      return Finding.warn(
          NAME,
          answered + ": the server is there, but not the API",
          "check the upstream URL (--upstream-url, NOVA_UPSTREAM_URL): it ends in /v1.");
    }
    if (status >= 500) {
      return Finding.warn(
          NAME,
          answered + ": Nova is reachable but failing",
          "try again later; chat answers may fail until it recovers.");
    }
    return Finding.ok(NAME, answered + " (no key sent)");
  }

  private Finding unreachable(URI url, IOException e) {
    String why = NoAnswer.why(e, timeout, timeout);
    if (why.equals("unknown host")) {
      return Finding.fail(
          NAME,
          "cannot resolve " + url.getHost(),
          "check your network and DNS, and the upstream URL (--upstream-url, NOVA_UPSTREAM_URL).");
    }
    if (why.startsWith("TLS failed")) {
      return Finding.fail(
          NAME,
          "TLS with " + url.getHost() + " failed",
          "a proxy or firewall may be intercepting TLS; its certificate must be in Java's trust store.");
    }
    return Finding.fail(
        NAME,
        "no answer from " + url + ": " + why,
        "check your network, a firewall or HTTPS proxy, and the upstream URL (--upstream-url, NOVA_UPSTREAM_URL).");
  }
}
