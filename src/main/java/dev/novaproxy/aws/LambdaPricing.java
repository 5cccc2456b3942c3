package dev.novaproxy.aws;

import dev.novaproxy.aws.DeploymentSettings.Arch;

/**
 * What chats cost in Lambda charges, from list prices: the function is billed for its memory for as
 * long as it waits on Nova, so a chat's cost is its memory times its seconds, plus the request.
 *
 * <p>Prices are AWS's for US East (N. Virginia), the first monthly tier (the first 6 billion
 * GB-seconds on x86, 7.5 billion on Arm), no free tier, from https://aws.amazon.com/lambda/pricing/
 * and https://aws.amazon.com/api-gateway/pricing/ as of 2026-12-01 (read from copies of those
 * pages, as this project's machines have no internet; check them before relying on a figure). Other
 * regions differ by a few percent.
 *
 * <p>Not counted: the HTTP API's requests (a separate figure, {@link #HTTP_API_PER_MILLION_USD},
 * since chats through the stream URL do not pay it), DynamoDB for keys and limits, Secrets Manager,
 * CloudWatch Logs, data transfer, and streamed bytes beyond 6 MB per response.
 */
public final class LambdaPricing {
  /** The chat the figure is for: a function waiting this long on Nova, billed to the ms. */
  public static final int CHAT_SECONDS = 5;

  public static final long CHATS = 1_000_000;

  /** Lambda duration, USD per GB-second, x86_64. */
  static final double X86_GB_SECOND_USD = 0.0000166667;

  /** Lambda duration, USD per GB-second, arm64 (Graviton). */
  static final double ARM_GB_SECOND_USD = 0.0000133334;

  /** Lambda requests, USD per million, either architecture. */
  static final double REQUESTS_PER_MILLION_USD = 0.20;

  /**
   * API Gateway HTTP API, USD per million requests (first 300 million a month), each metered in 512
   * KB steps: a chat through the HTTP API door adds this; through the stream URL (a function URL),
   * nothing.
   */
  public static final double HTTP_API_PER_MILLION_USD = 1.00;

  /** Lambda's charge, in USD, for {@link #CHATS} chats of {@link #CHAT_SECONDS} seconds each. */
  public static double perMillionChats(Arch arch, int memoryMb) {
    double gbSeconds = CHATS * CHAT_SECONDS * (memoryMb / 1024.0);
    double perGbSecond = arch == Arch.arm64 ? ARM_GB_SECOND_USD : X86_GB_SECOND_USD;
    return gbSeconds * perGbSecond + CHATS / 1e6 * REQUESTS_PER_MILLION_USD;
  }

  /** USD with cents, as the plan prints it. */
  public static String usd(double amount) {
    return String.format(java.util.Locale.ROOT, "$%.2f", amount);
  }

  private LambdaPricing() {}
}
