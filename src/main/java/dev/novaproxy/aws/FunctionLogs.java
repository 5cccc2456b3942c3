package dev.novaproxy.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * The deployed function's log group ({@code /aws/lambda/FUNCTION}), read with FilterLogEvents: what
 * {@code novaproxy logs} shows. Lambda creates the group when the function first writes to it, so a
 * deployment that has answered nothing yet has none.
 */
public final class FunctionLogs {
  /** One log event: CloudWatch's id (unique in the group), its time, and the line. */
  public record Event(String id, Instant time, String message) {}

  private final CloudWatchLogsClient logs;
  private final String group;

  public FunctionLogs(AwsClients aws, ResourceNames names) {
    this.logs = aws.logs();
    this.group = names.logGroup();
  }

  public String group() {
    return group;
  }

  /**
   * Hands {@code each} every event from {@code from} (inclusive) to {@code to} (exclusive; null: up
   * to now), page by page, in the order CloudWatch returns them (by time).
   *
   * @param filterPattern a CloudWatch filter pattern, or null for every event. CloudWatch applies
   *     it; callers still check what they need, since emulators match some patterns loosely
   * @throws AwsException NOT_FOUND when the log group does not exist
   */
  public void read(Instant from, Instant to, String filterPattern, Consumer<Event> each) {
    String token = null;
    do {
      FilterLogEventsRequest.Builder request =
          FilterLogEventsRequest.builder()
              .logGroupName(group)
              .startTime(from.toEpochMilli())
              .nextToken(token);
      if (to != null) {
        request.endTime(to.toEpochMilli() - 1); // endTime is inclusive
      }
      if (filterPattern != null) {
        request.filterPattern(filterPattern);
      }
      FilterLogEventsResponse page;
      try {
        page = logs.filterLogEvents(request.build());
      } catch (ResourceNotFoundException e) {
        throw new AwsException(
            AwsException.Kind.NOT_FOUND,
            "There is no log group "
                + group
                + " yet: deploy first ('novaproxy deploy'); Lambda creates it when the function"
                + " answers its first request.",
            e);
      }
      for (FilteredLogEvent e : page.events()) {
        each.accept(new Event(e.eventId(), Instant.ofEpochMilli(e.timestamp()), strip(e)));
      }
      token = page.nextToken();
    } while (token != null);
  }

  /**
   * Reads from {@code from}, then again every {@code every}, handing {@code each} every event once,
   * until the thread is interrupted (the caller's Ctrl-C, or a test stopping it). CloudWatch may
   * take seconds to make an event readable, and Lambda's events can arrive out of time order, so
   * each poll reads again the last {@link #LATE} before the newest event seen and skips the ids it
   * has already handed over (remembered only for that long).
   */
  public void follow(Instant from, String filterPattern, Consumer<Event> each, Duration every)
      throws InterruptedException {
    Map<String, Instant> seen = new HashMap<>();
    Instant start = from;
    Instant newest = from;
    while (!Thread.currentThread().isInterrupted()) {
      List<Event> fresh = new ArrayList<>();
      try {
        read(
            start,
            null,
            filterPattern,
            e -> {
              if (seen.putIfAbsent(e.id(), e.time()) == null) {
                fresh.add(e);
              }
            });
      } catch (AbortedException e) {
        throw new InterruptedException(); // interrupted while the call was in flight
      }
      fresh.sort(Comparator.comparing(Event::time));
      for (Event e : fresh) {
        each.accept(e);
        newest = e.time().isAfter(newest) ? e.time() : newest;
      }
      Instant cutoff = newest.minus(LATE);
      start = cutoff.isAfter(from) ? cutoff : from;
      Instant forget = start;
      seen.values().removeIf(t -> t.isBefore(forget));
      Thread.sleep(every.toMillis());
    }
    throw new InterruptedException();
  }

  /** How late an event may become readable and still be shown by {@link #follow}. */
  static final Duration LATE = Duration.ofMinutes(2);

  private static String strip(FilteredLogEvent e) {
    String m = e.message() == null ? "" : e.message();
    return m.endsWith("\n") ? m.substring(0, m.length() - 1) : m;
  }
}
