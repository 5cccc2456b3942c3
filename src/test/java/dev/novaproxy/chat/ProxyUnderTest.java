package dev.novaproxy.chat;

import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The real local proxy ({@code serve}'s server) on loopback in front of a fake Nova that wants a
 * key.
 */
final class ProxyUnderTest implements AutoCloseable {
  static final String KEY = "nova-test-key-7f3a9c";

  final FakeNova nova;
  final LocalProxyServer proxy;

  private ProxyUnderTest(FakeNova nova, LocalProxyServer proxy) {
    this.nova = nova;
    this.proxy = proxy;
  }

  static ProxyUnderTest start() {
    return start(Policy.defaults());
  }

  static ProxyUnderTest start(Policy policy) {
    FakeNova nova = FakeNova.start().requireKey(KEY);
    ProxySettings settings =
        ProxySettings.defaults().withUpstream(nova.baseUrl()).withPolicy(policy);
    try {
      return new ProxyUnderTest(
          nova,
          LocalProxyServer.start(
              new ProxyHandler(settings, () -> KEY, AccessLog.discarding()), "127.0.0.1", 0));
    } catch (IOException e) {
      nova.close();
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return proxy.baseUrl().toString();
  }

  @Override
  public void close() {
    proxy.shutdown(Duration.ZERO);
    nova.close();
  }
}
