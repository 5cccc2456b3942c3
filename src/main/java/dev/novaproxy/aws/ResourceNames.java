package dev.novaproxy.aws;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names of everything one deployment manages, all derived from its name, and the tag that marks
 * them as this deployment's so that {@code status} and {@code destroy} only ever touch their own.
 */
public record ResourceNames(String name) {
  public static final String TAG = "novaproxy:name";
  public static final String ALIAS = "live";
  public static final String STAGE = "$default";

  // Lambda function names allow 64 characters; the role name adds "-proxy-role" to the name.
  private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,41}");

  public ResourceNames {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The name '"
              + name
              + "' cannot name AWS resources: use a letter then letters, digits or '-', at most 42 characters.");
    }
  }

  public String role() {
    return name + "-proxy-role";
  }

  public String rolePolicy() {
    return name + "-proxy-access";
  }

  public String function() {
    return name + "-proxy";
  }

  public String api() {
    return name;
  }

  public String permissionStatement() {
    return name + "-apigateway-invoke";
  }

  /**
   * The stream URL's statement that lets anyone call the URL ({@code lambda:InvokeFunctionUrl}).
   */
  public String urlPublicStatement() {
    return name + "-url-public";
  }

  /**
   * The stream URL's statement that lets the URL invoke the alias ({@code lambda:InvokeFunction}).
   */
  public String urlInvokeStatement() {
    return name + "-url-invoke";
  }

  /** The DynamoDB table with the client keys and usage counters (deploy --keys). */
  public String keysTable() {
    return name + "-keys";
  }

  public String logGroup() {
    return "/aws/lambda/" + function();
  }

  /** The SNS topic the alarms notify (deploy --alarm-email). */
  public String alarmTopic() {
    return name + "-alarms";
  }

  /** One CloudWatch alarm of the deployment's, e.g. "novaproxy-proxy-5xx-rate". */
  public String alarm(String kind) {
    return function() + "-" + kind;
  }

  public Map<String, String> tags() {
    return Map.of(TAG, name);
  }

  /** True when a resource's tags mark it as this deployment's. */
  public boolean owns(Map<String, String> tags) {
    return tags != null && name.equals(tags.get(TAG));
  }
}
