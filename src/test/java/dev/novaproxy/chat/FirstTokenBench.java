package dev.novaproxy.chat;

import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.testing.FakeNova;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Time to the first streamed character as the chat client sees it: through the local proxy ({@code
 * serve}'s server, in this JVM as with {@code chat --local}) and straight from the loopback
 * upstream, interleaved so that both meet the same machine load. Prints figures; it is a benchmark,
 * not a test. Run it with {@code bench/chat-first-token.sh [ROUNDS]}.
 */
public final class FirstTokenBench {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    try (FakeNova nova = FakeNova.start().withoutRecording();
        LocalProxyServer proxy =
            LocalProxyServer.start(
                new ProxyHandler(
                    ProxySettings.defaults().withUpstream(nova.baseUrl()),
                    () -> "bench-key",
                    AccessLog.discarding()),
                "127.0.0.1",
                0)) {
      ChatClient direct =
          new ChatClient(ChatEndpoint.parse(nova.baseUrl().toString()), Duration.ofSeconds(10));
      ChatClient viaProxy =
          new ChatClient(ChatEndpoint.parse(proxy.baseUrl().toString()), Duration.ofSeconds(10));
      for (int i = 0; i < Math.max(50, rounds / 5); i++) {
        firstToken(direct);
        firstToken(viaProxy);
      }
      List<Long> d = new ArrayList<>();
      List<Long> p = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        d.add(firstToken(direct));
        p.add(firstToken(viaProxy));
      }
      Collections.sort(d);
      Collections.sort(p);
      System.out.printf(
          "time to first streamed character over %d rounds (after warm-up), microseconds:%n",
          rounds);
      System.out.printf(
          "  direct from the upstream: median %6d  p90 %6d  p99 %6d%n",
          pct(d, 50), pct(d, 90), pct(d, 99));
      System.out.printf(
          "  through the local proxy:  median %6d  p90 %6d  p99 %6d%n",
          pct(p, 50), pct(p, 90), pct(p, 99));
      System.out.printf(
          "  the proxy adds %d us at the median (%.2fx)%n",
          pct(p, 50) - pct(d, 50), (double) pct(p, 50) / pct(d, 50));
      System.out.printf(
          "  (%d cores, load average %.2f)%n",
          Runtime.getRuntime().availableProcessors(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /** Microseconds from sending the question to the first character of the answer. */
  private static long firstToken(ChatClient client) {
    long start = System.nanoTime();
    long[] first = {0};
    client.complete(
        List.of(Message.user("benchmark question")),
        null,
        true,
        t -> {
          if (first[0] == 0) {
            first[0] = System.nanoTime();
          }
        },
        new Cancellation());
    return (first[0] - start) / 1000;
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private FirstTokenBench() {}
}
