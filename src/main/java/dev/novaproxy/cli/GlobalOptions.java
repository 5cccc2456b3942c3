package dev.novaproxy.cli;

import picocli.CommandLine.Option;

/** Options every command takes. Mixed into each command so they can follow the command's name. */
public final class GlobalOptions {
  public enum Output {
    text,
    json
  }

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "AWS profile to use (or AWS_PROFILE).")
  public String profile;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "AWS region (or AWS_REGION, or the saved config).")
  public String region;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      description =
          "Send every AWS call to this endpoint, e.g. moto or LocalStack (or AWS_ENDPOINT_URL).")
  public String endpointUrl;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "The deployment's name, used in every resource name and tag (default: novaproxy).")
  public String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: text).")
  public Output output;

  @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set).")
  public boolean noColor;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show more: progress details and the cause of an error.")
  public boolean verbose;

  public boolean json() {
    return output == Output.json;
  }
}
