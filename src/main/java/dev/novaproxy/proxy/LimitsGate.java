package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.limits.Caller;
import dev.novaproxy.limits.LimitRefusal;
import dev.novaproxy.limits.Limiter;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.Reservation;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where the proxy meets the limits, when client keys or limits are on: identifies the caller, then
 * around each chat request reserves before Nova is called and settles once Nova has said what it
 * used.
 *
 * <p>What a request is settled at: Nova's {@code usage} when it reports one; nothing (the whole
 * reservation returned) when Nova answered with an error or was never reached; otherwise (a
 * timeout, a stream that broke or was abandoned, an answer without usage) the reservation stands,
 * since Nova may have spent the tokens.
 */
final class LimitsGate {
  private final Limiter limiter;
  private final AccessLog log;

  LimitsGate(Limiter limiter, AccessLog log) {
    this.limiter = limiter;
    this.log = log;
  }

  /** Who is calling, named in the request's log line; refusals are the client's error answers. */
  Caller identify(ProxyRequest request, RequestRecord record) {
    try {
      Caller caller =
          limiter.identify(request.header("authorization"), request.sourceIp(), request.query());
      record.client = caller.name();
      return caller;
    } catch (LimitRefusal r) {
      throw refusal(r, record);
    }
  }

  /**
   * Checks the caller's model and limits and reserves, now (a refusal is thrown); forwards with
   * {@code forward}; and settles once Nova's answer is in (a stream when it ends), on whichever
   * thread brings it. A forward that answers at once (Lambda's) makes this complete at once.
   *
   * @param requestBytes the size of the body as the client sent it, for the prompt estimate
   */
  CompletableFuture<ProxyResponse> chatAsync(
      Caller caller,
      ValidatedRequest request,
      int requestBytes,
      RequestRecord record,
      Function<ValidatedRequest, CompletableFuture<ProxyResponse>> forward) {
    ObjectNode body = request.body();
    Reservation reservation;
    try {
      limiter.checkModel(caller, request.model());
      long tokens =
          TokenReservation.reserve(
              body, TokenReservation.prompt(body, requestBytes), limiter.tokenLimit(caller));
      reservation = limiter.reserve(caller, tokens);
    } catch (LimitRefusal r) {
      throw refusal(r, record);
    }
    return Answers.started(forward, request)
        .handle(
            (response, failure) -> {
              if (failure != null) {
                Throwable cause = Answers.cause(failure);
                settle(reservation, record, cause instanceof ProxyException p ? p : null);
                throw Answers.rethrown(cause);
              }
              if (!response.streaming()) {
                settle(reservation, record, null);
                return response;
              }
              // When the client went away, Nova's usage never came: settle keeps the reservation.
              ProxyResponse.EventStream settling =
                  response.stream().whenEnded(clientGone -> settle(reservation, record, null));
              return new ProxyResponse(response.status(), response.headers(), null, settling);
            });
  }

  /**
   * Nova reports a stream's usage only when asked ({@code stream_options.include_usage}); the proxy
   * asks (the limits settle by it, the metrics count it), and hides that last chunk from a client
   * that did not ask for it.
   */
  static void askForUsage(ObjectNode body, RequestRecord record) {
    JsonNode options = body.get("stream_options");
    if (options instanceof ObjectNode o && o.path("include_usage").asBoolean(false)) {
      return;
    }
    ObjectNode o = options instanceof ObjectNode given ? given : body.putObject("stream_options");
    o.put("include_usage", true);
    record.hideUsageChunk = true;
  }

  private void settle(Reservation reservation, RequestRecord record, ProxyException failure) {
    OptionalLong used = used(record.usage);
    long tokens;
    if (used.isPresent()) {
      tokens = used.getAsLong();
    } else if (nothingGenerated(record, failure)) {
      tokens = 0;
    } else {
      return; // Nova may have spent the tokens: the reservation stands
    }
    try {
      reservation.settle(tokens);
    } catch (LimitsStore.StoreUnavailable e) {
      log.warn(
          "The usage of "
              + record.client
              + " (request "
              + record.requestId
              + ") could not be settled, so its reservation of "
              + reservation.reserved()
              + " tokens stands: "
              + scrub(e.getMessage()));
    }
  }

  /** Whether Nova answered with an error, or was never reached: then it spent nothing. */
  private static boolean nothingGenerated(RequestRecord record, ProxyException failure) {
    if (record.upstreamStatus >= 400) {
      return true;
    }
    return record.upstreamStatus == 0 && failure != null && failure.status() != 504;
  }

  /** Nova's total tokens: {@code total_tokens}, else prompt plus completion. */
  static OptionalLong used(JsonNode usage) {
    if (usage == null) {
      return OptionalLong.empty();
    }
    JsonNode total = usage.get("total_tokens");
    if (total != null && total.canConvertToLong() && total.isNumber()) {
      return OptionalLong.of(Math.max(0, total.longValue()));
    }
    JsonNode prompt = usage.get("prompt_tokens");
    JsonNode completion = usage.get("completion_tokens");
    if (prompt != null && prompt.isNumber() && completion != null && completion.isNumber()) {
      return OptionalLong.of(Math.max(0, prompt.longValue() + completion.longValue()));
    }
    return OptionalLong.empty();
  }

  private ProxyException refusal(LimitRefusal r, RequestRecord record) {
    if (r.storeFailure() != null) {
      log.warn(
          "The limits store is unavailable, so requests are refused (503) until it is back: "
              + scrub(r.storeFailure().getMessage()));
    }
    record.errorCode = r.code();
    record.overLimit = r.status() == 429;
    return new ProxyException(
        r.status(), r.type(), r.code(), r.param(), r.getMessage(), r.headers());
  }

  /** A store's message, with anything shaped like a key or a key's hash taken out. */
  static String scrub(String message) {
    if (message == null) {
      return "(no detail)";
    }
    return message
        .replaceAll("(?i)\\b[0-9a-f]{64}\\b", "<sha256>")
        .replaceAll("np_[A-Za-z0-9_-]{8,}", "np_<key>");
  }
}
