package dev.novaproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "destroy", mixinStandardHelpOptions = true, description = "Delete what deploy created.")
public final class DestroyCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    return NotBuiltYet.report("destroy");
  }
}
