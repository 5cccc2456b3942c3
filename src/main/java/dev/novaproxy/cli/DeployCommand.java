package dev.novaproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "deploy", mixinStandardHelpOptions = true, description = "Create or update the IAM role, the Lambda function and the HTTP API; print the URL.")
public final class DeployCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    return NotBuiltYet.report("deploy");
  }
}
