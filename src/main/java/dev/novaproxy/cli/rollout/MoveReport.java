package dev.novaproxy.cli.rollout;

import dev.novaproxy.aws.Rollouts;
import dev.novaproxy.cli.AwsContext;
import dev.novaproxy.cli.Json;
import java.io.PrintWriter;

/** How rollback and promote say what they did: one line, or one JSON object. */
final class MoveReport {
  static void print(PrintWriter out, boolean json, AwsContext ctx, Rollouts.Move m) {
    if (json) {
      Json.print(
          out,
          Json.object()
              .put("name", ctx.names().name())
              .put("region", ctx.location().region())
              .put("changed", m.changed())
              .put("from", m.from())
              .put("live", m.to())
              .put("droppedCanary", m.droppedCanary()));
      return;
    }
    String line;
    if (!m.changed()) {
      line = "Version " + m.to() + " is already live; nothing changed.";
    } else if (m.from().equals(m.to())) {
      line =
          "Dropped the canary of version "
              + m.droppedCanary()
              + "; version "
              + m.to()
              + " stays live with all the traffic.";
    } else {
      line =
          "live: version "
              + m.from()
              + " -> "
              + m.to()
              + (m.droppedCanary() == null
                  ? ""
                  : " (the canary of version " + m.droppedCanary() + " is dropped)")
              + "; both URLs answer with it now.";
    }
    out.println(line);
    out.flush();
  }

  private MoveReport() {}
}
