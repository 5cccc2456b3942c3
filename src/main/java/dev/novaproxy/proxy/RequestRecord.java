package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one request did, filled in as it goes and written as one log line at its end. Mutable on
 * purpose: the pieces arrive from different stages (validation, upstream, the end of a stream).
 */
final class RequestRecord {
  final String requestId;
  final String method;
  final String path;
  final long startNanos = System.nanoTime();
  String route;
  String model;
  boolean stream;
  int status;
  String errorCode;
  long upstreamNanos = -1;
  int upstreamAttempts;
  JsonNode usage;
  JsonNode contentIn;
  StringBuilder contentOut;

  RequestRecord(String requestId, String method, String path) {
    this.requestId = requestId;
    this.method = method;
    this.path = path;
  }
}
