package dev.novaproxy.cli;

import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.proxy.UpstreamUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;

/**
 * The proxy started inside the chat's own process for {@code chat --local}: the same core as {@code
 * serve}, on a free loopback port, with the default policy. Its request log stays quiet unless
 * {@code -v} asks, so that it does not break into the conversation.
 */
final class LocalProxy implements AutoCloseable {
  private final LocalProxyServer server;

  private LocalProxy(LocalProxyServer server) {
    this.server = server;
  }

  static LocalProxy start(String upstreamUrl, boolean verbose, PrintWriter err) {
    ProxySettings settings = ProxySettings.defaults();
    String upstream = upstreamUrl != null ? upstreamUrl : System.getenv("NOVA_UPSTREAM_URL");
    if (upstream != null && !upstream.isBlank()) {
      URI uri;
      try {
        // Another host than Nova's only when NOVA_UPSTREAM_ALLOWED_HOSTS names it, as for serve.
        settings =
            settings.withAllowedUpstreamHosts(
                ProxySettings.allowedUpstreamHostsFromEnvironment(System.getenv()));
        uri = UpstreamUrl.parse(upstream, settings.allowedUpstreamHosts());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
      settings = settings.withUpstream(uri);
      if (UpstreamUrl.isExplicitlyAllowedHost(uri)) {
        err.println(UpstreamUrl.warning(uri));
        err.flush();
      }
    }
    SecretSource key = key();
    AccessLog log =
        verbose
            ? new AccessLog(
                line -> {
                  synchronized (err) {
                    err.println(line);
                    err.flush();
                  }
                },
                false)
            : AccessLog.discarding();
    try {
      return new LocalProxy(
          LocalProxyServer.start(new ProxyHandler(settings, key, log), "127.0.0.1", 0));
    } catch (IOException e) {
      throw CliException.failure("Cannot start the local proxy on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /**
   * The key from NOVA_API_KEY, else asked for on the terminal; never from an argument. When Nova
   * rejects it, the user is told to fix that, not the deployed secret ({@code setup}).
   */
  private static SecretSource key() {
    String env = System.getenv("NOVA_API_KEY");
    if (env != null && !env.isBlank()) {
      return SecretSource.fixed(env.strip(), "set NOVA_API_KEY to a valid Nova API key");
    }
    String key = HiddenInput.read("Nova API key (input hidden): ", "set NOVA_API_KEY");
    if (key.isEmpty()) {
      throw CliException.usage(
          "No key was entered; set NOVA_API_KEY or type the key at the prompt.");
    }
    return SecretSource.fixed(key, "start the chat again and type a valid Nova API key");
  }

  String baseUrl() {
    return server.baseUrl().toString();
  }

  @Override
  public void close() {
    server.shutdown(Duration.ofSeconds(1));
  }
}
