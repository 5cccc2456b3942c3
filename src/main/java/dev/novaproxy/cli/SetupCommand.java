package dev.novaproxy.cli;

import dev.novaproxy.aws.ApiKeySecret;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.config.ConfigFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "setup",
    mixinStandardHelpOptions = true,
    header = "Store the Nova API key in AWS Secrets Manager.",
    description =
        "Store the Nova API key in AWS Secrets Manager (created, or given a new value; restored first if destroy scheduled it for deletion), tag it, print its ARN, and save the region, name and secret name in the config file. An existing secret that setup did not create is written only with --adopt. The key is read from a hidden prompt (asked twice) or from standard input with --api-key-stdin; never from an argument.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy setup                                   asked twice, hidden",
      "  novaproxy setup --region us-east-1 --secret-name team/NovaApiKey",
      "  printf %%s \"$NOVA_API_KEY\" | novaproxy setup --api-key-stdin -o json",
      "  novaproxy setup --adopt                           into an existing backend/NovaApiKey",
      "  novaproxy setup --endpoint-url http://127.0.0.1:5000 --region us-east-1   against moto"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Stored.",
      "1:The operation failed, or the secret exists and setup did not create it (pass --adopt).",
      "2:Usage error, or an empty key (nothing stored).",
      "5:AWS credentials, region or permission problem."
    })
public final class SetupCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "The secret's name (default: backend/NovaApiKey, or the saved one).")
  String secretName;

  @Option(
      names = "--api-key-stdin",
      description = "Read the key from standard input (one line; the trailing newline is removed).")
  boolean apiKeyStdin;

  @Option(
      names = "--adopt",
      description =
          "Store the key in an existing secret that setup did not create (such as the tutorial's backend/NovaApiKey) and tag it novaproxy:adopted=true; destroy never deletes an adopted secret.")
  boolean adopt;

  @Override
  public Integer call() {
    String key = apiKeyStdin ? readStdin() : prompt();
    AwsContext ctx = AwsContext.resolve(global, secretName);
    ApiKeySecret.Stored stored;
    try (var aws = new AwsClients(ctx.location())) {
      stored = new ApiKeySecret(aws).store(ctx.secretName(), key, ctx.names(), adopt);
    }
    ctx.config()
        .update(
            c -> {
              c.put(ConfigFile.REGION, ctx.location().region());
              c.put(ConfigFile.NAME, ctx.names().name());
              c.put(ConfigFile.SECRET_NAME, stored.name());
            });
    PrintWriter out = spec.commandLine().getOut();
    if (global.json()) {
      Json.print(
          out,
          Json.object()
              .put("secretArn", stored.arn())
              .put("secretName", stored.name())
              .put("created", stored.created())
              .put("adopted", stored.adopted())
              .put("restored", stored.restored())
              .put("region", ctx.location().region())
              .put("name", ctx.names().name())
              .put("config", ctx.config().path().toString()));
    } else {
      out.println(
          (stored.created() ? "Created" : "Updated")
              + " secret "
              + stored.name()
              + ": "
              + stored.arn());
      if (stored.restored()) {
        out.println("It was scheduled for deletion: restored it.");
      }
      if (stored.adopted()) {
        out.println(
            "It is adopted (setup did not create it): destroy --delete-secret will leave it.");
      }
      out.println(
          "Saved region "
              + ctx.location().region()
              + " and name "
              + ctx.names().name()
              + " in "
              + ctx.config().path());
      out.println("Next: novaproxy deploy");
    }
    return ExitCodes.OK;
  }

  private static String readStdin() {
    String text;
    try {
      // A key is short; a megabyte of input is a mistake, not a key.
      text = new String(System.in.readNBytes(1 << 20), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw CliException.failure("Cannot read the key from standard input: " + e.getMessage(), e);
    }
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    return check(text);
  }

  private static String prompt() {
    String first =
        HiddenInput.read(
            "Nova API key (from nova.amazon.com/dev/api): ", "pipe it in with --api-key-stdin");
    String second = HiddenInput.read("The same key again: ", "pipe it in with --api-key-stdin");
    if (!first.equals(second)) {
      throw CliException.usage("The two keys differ; nothing was stored. Run setup again.");
    }
    return check(first);
  }

  private static String check(String key) {
    if (key.isBlank()) {
      throw CliException.usage("The API key is empty; nothing was stored.");
    }
    if (key.strip().chars().anyMatch(Character::isWhitespace)) {
      throw CliException.usage("The API key must be one line without spaces; nothing was stored.");
    }
    return key.strip();
  }
}
