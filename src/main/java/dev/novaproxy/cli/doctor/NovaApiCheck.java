package dev.novaproxy.cli.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

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
    String host = url.getHost();
    Throwable root = e;
    boolean refused = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      // The JDK's client wraps the socket's refusal: ConnectException, then ClosedChannelException.
      refused |= t instanceof ConnectException;
      // The JDK's client reports a name that does not resolve as UnresolvedAddressException.
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return Finding.fail(
            NAME,
            "cannot resolve " + host,
            "check your network and DNS, and the upstream URL (--upstream-url, NOVA_UPSTREAM_URL).");
      }
      if (t instanceof SSLException) {
        return Finding.fail(
            NAME,
            "TLS with " + host + " failed: " + t.getMessage(),
            "a proxy or firewall may be intercepting TLS; its certificate must be in Java's trust store.");
      }
      root = t;
    }
    String why;
    if (e instanceof HttpConnectTimeoutException) {
      why = "no connection within " + timeout.toSeconds() + " s";
    } else if (e instanceof HttpTimeoutException) {
      why = "no answer within " + timeout.toSeconds() + " s";
    } else if (refused) {
      why = "connection refused";
    } else {
      why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
    return Finding.fail(
        NAME,
        "no answer from " + url + ": " + why,
        "check your network, a firewall or HTTPS proxy, and the upstream URL (--upstream-url, NOVA_UPSTREAM_URL).");
  }
}
