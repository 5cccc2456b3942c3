package dev.novaproxy.cli.doctor;

import dev.novaproxy.aws.SmokeTest;
import java.net.URI;
import java.time.Duration;

/**
 * Whether a proxy answers at a URL: {@code GET /health}, as {@code status --smoke} calls it, and no
 * chat turn (that would cost tokens; {@code status --smoke} makes one).
 */
final class ProxyCheck {
  private final SmokeTest smoke;

  ProxyCheck(Duration timeout) {
    this.smoke = new SmokeTest(timeout);
  }

  Finding run(String name, String url, String origin) {
    URI base;
    try {
      base = SmokeTest.baseOf(url);
    } catch (IllegalArgumentException e) {
      return Finding.fail(name, e.getMessage() + " (" + origin + ")", "give an http(s) URL.");
    }
    SmokeTest.Check c = smoke.health(base);
    if (c.ok()) {
      return Finding.ok(name, c.url() + " answers (" + origin + ", " + c.millis() + " ms)");
    }
    return Finding.fail(
        name,
        c.url() + " (" + origin + "): " + c.detail(),
        "'novaproxy status' shows what is deployed and 'novaproxy deploy' mends it; for a local proxy, start 'novaproxy serve'.");
  }
}
