package dev.novaproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "setup", mixinStandardHelpOptions = true, description = "Store the Nova API key in AWS Secrets Manager.")
public final class SetupCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    return NotBuiltYet.report("setup");
  }
}
