package dev.novaproxy.proxy;

/**
 * What {@code GET /metrics} answers, when a server offers one ({@code serve}: Prometheus text). A
 * proxy built without one answers that path with 404.
 */
public interface MetricsPage {
  /** The response's {@code Content-Type}. */
  String contentType();

  /** The page as it is now. */
  byte[] render();
}
