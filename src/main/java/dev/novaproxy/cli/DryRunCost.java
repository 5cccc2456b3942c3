package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.aws.LambdaPricing;

/**
 * The cost line of {@code deploy --dry-run}: what a million chats would cost at the planned memory
 * size, next to the default size, since memory is what a function waiting on Nova is billed for.
 */
final class DryRunCost {
  private final DeploymentSettings.Arch arch;
  private final int memoryMb;
  private final int defaultMemoryMb = DeploymentSettings.DEFAULT_MEMORY_MB;

  DryRunCost(DeploymentSettings desired) {
    this.arch = desired.arch();
    this.memoryMb = desired.memoryMb();
  }

  String text() {
    String planned =
        LambdaPricing.usd(LambdaPricing.perMillionChats(arch, memoryMb))
            + " at "
            + memoryMb
            + " MB";
    String next =
        memoryMb == defaultMemoryMb
            ? " (the default size)"
            : ", "
                + LambdaPricing.usd(LambdaPricing.perMillionChats(arch, defaultMemoryMb))
                + " at the default "
                + defaultMemoryMb
                + " MB";
    return "Cost per million "
        + LambdaPricing.CHAT_SECONDS
        + "-second chats, Lambda on "
        + arch.name()
        + ": "
        + planned
        + next
        + "; through the HTTP API add "
        + LambdaPricing.usd(LambdaPricing.HTTP_API_PER_MILLION_USD)
        + ", through the stream URL nothing (us-east-1 list prices; DynamoDB, logs and data"
        + " transfer not included).";
  }

  ObjectNode json() {
    ObjectNode o = Json.object();
    o.put("chats", LambdaPricing.CHATS)
        .put("chatSeconds", LambdaPricing.CHAT_SECONDS)
        .put("currency", "USD")
        .put("prices", "us-east-1 list prices")
        .put("arch", arch.name())
        .put("memoryMb", memoryMb)
        .put("lambda", cents(LambdaPricing.perMillionChats(arch, memoryMb)))
        .put("defaultMemoryMb", defaultMemoryMb)
        .put("defaultLambda", cents(LambdaPricing.perMillionChats(arch, defaultMemoryMb)))
        .put("httpApiExtra", cents(LambdaPricing.HTTP_API_PER_MILLION_USD))
        .put("streamUrlExtra", 0.0);
    return o;
  }

  private static double cents(double usd) {
    return Math.round(usd * 100) / 100.0;
  }
}
