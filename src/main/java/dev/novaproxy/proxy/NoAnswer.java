package dev.novaproxy.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Why an HTTP call through the JDK's client got no answer, in a few words. The client wraps the
 * cause: a name that does not resolve arrives as UnresolvedAddressException, a refusal as a
 * ConnectException around a ClosedChannelException, both often without a message of their own.
 */
public final class NoAnswer {
  private NoAnswer() {}

  /**
   * @param connect the client's connect timeout
   * @param answer the request's timeout
   */
  public static String why(IOException e, Duration connect, Duration answer) {
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + connect.toSeconds() + " s";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + answer.toSeconds() + " s";
    }
    boolean refused = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof SSLException) {
        return "TLS failed (" + t.getMessage() + ")";
      }
      refused |= t instanceof ConnectException;
    }
    if (refused) {
      return "connection refused";
    }
    return "the connection failed ("
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
        + ")";
  }
}
