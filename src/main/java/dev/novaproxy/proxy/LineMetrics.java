package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Members a server adds to each request's access line for a metrics system that reads the log (on
 * Lambda: CloudWatch's Embedded Metric Format). The core only calls it; what it writes is the
 * server's business, so the core stays free of any one metrics system.
 */
public interface LineMetrics {
  /** Adds members to {@code line}; existing members must be left as they are. */
  void addTo(ObjectNode line, RequestOutcome outcome);
}
