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
  String door; // the server's name for the entry it came through (Lambda: api, stream); or null
  String client; // who called, as the limits name it (key:NAME, ip:ADDRESS); never a key
  String model; // the Nova model that answers
  String modelAlias; // the alias the client asked for, or null
  boolean stream;
  int status;
  String errorCode;
  long upstreamNanos = -1;
  long firstEventNanos = -1; // System.nanoTime() when a stream's first event went to the client
  boolean overLimit; // novaproxy's own limits refused it (429), as opposed to Nova's 429
  int upstreamAttempts;
  int upstreamStatus; // Nova's status, 0 until it answers
  boolean hideUsageChunk; // the proxy asked Nova for stream usage; the client did not
  JsonNode usage;
  JsonNode contentIn;
  StringBuilder contentOut;

  RequestRecord(String requestId, String method, String path) {
    this.requestId = requestId;
    this.method = method;
    this.path = path;
  }
}
