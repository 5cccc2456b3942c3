package dev.novaproxy.cli;

import java.io.PrintWriter;

/** The proxy started inside the chat's own process for {@code chat --local}. */
final class LocalProxy implements AutoCloseable {
  static LocalProxy start(String upstreamUrl, PrintWriter err) {
    throw new CliException(ExitCodes.FAILURE, "'chat --local' needs the local proxy, which is not built yet; run 'novaproxy serve' and chat with it.");
  }

  String baseUrl() {
    throw new IllegalStateException();
  }

  @Override
  public void close() {}
}
