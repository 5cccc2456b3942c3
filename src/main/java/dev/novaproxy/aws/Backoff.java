package dev.novaproxy.aws;

import java.time.Duration;

/** How long to wait between retries, and for how long in total. */
public record Backoff(Duration first, Duration max, Duration total) {
  /** IAM usually propagates a new role within seconds, rarely more than a minute. */
  public static Backoff iamPropagation() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(2));
  }

  Duration after(Duration previous) {
    Duration next = previous.multipliedBy(2);
    return next.compareTo(max) > 0 ? max : next;
  }
}
