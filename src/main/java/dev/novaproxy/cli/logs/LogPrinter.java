package dev.novaproxy.cli.logs;

import dev.novaproxy.aws.FunctionLogs;
import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Prints the log events that pass the filter, one line each and at once (so --follow shows them as
 * they come): readable text, or with {@code -o json} the proxy's JSON lines as written (other lines
 * have no JSON to give and are left out).
 */
final class LogPrinter implements Consumer<FunctionLogs.Event> {
  private final PrintWriter out;
  private final boolean json;
  private final Predicate<LogLine> filter;
  private int printed;

  LogPrinter(PrintWriter out, boolean json, Predicate<LogLine> filter) {
    this.out = out;
    this.json = json;
    this.filter = filter;
  }

  @Override
  public void accept(FunctionLogs.Event event) {
    LogLine line = LogLine.of(event.message());
    if (!filter.test(line) || (json && line.json() == null)) {
      return;
    }
    out.println(json ? line.text() : LogLineText.of(line, event.time()));
    out.flush();
    printed++;
  }

  int printed() {
    return printed;
  }
}
