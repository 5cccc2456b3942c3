package dev.novaproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "chat", mixinStandardHelpOptions = true, description = "Talk to the proxy: an interactive multi-turn chat, or one question with -m.")
public final class ChatCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    return NotBuiltYet.report("chat");
  }
}
