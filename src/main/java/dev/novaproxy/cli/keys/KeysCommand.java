package dev.novaproxy.cli.keys;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    header = "Make, list and revoke client keys; show their usage.",
    description = {
      "Client keys let an app call the deployed proxy under its own limits: requests per minute,",
      "tokens per UTC day, models, an expiry. A key ('np_' and 256 random bits) is printed once,",
      "by 'keys create'; the deployment's keys table (DynamoDB, made by deploy) keeps only its",
      "SHA-256. Apps send it as 'Authorization: Bearer KEY' (an OpenAI SDK's API key).",
      ""
    },
    subcommands = {
      KeysCreateCommand.class,
      KeysListCommand.class,
      KeysRevokeCommand.class,
      KeysUsageCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy keys create web-app --rpm 60 --tokens-per-day 200000",
      "  novaproxy keys list",
      "  novaproxy keys usage web-app --days 30",
      "  novaproxy keys revoke web-app"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Success.",
      "1:The operation failed.",
      "2:Usage error.",
      "3:No keys table (run deploy first), or no key of that name.",
      "5:AWS credentials, region or permission problem."
    })
public final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: choose one of create, list, revoke, usage.");
  }
}
