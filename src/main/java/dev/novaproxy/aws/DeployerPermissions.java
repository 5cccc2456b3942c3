package dev.novaproxy.aws;

import java.util.List;

/**
 * The IAM actions that setup, deploy, status, destroy and keys call, each group on the resource it
 * acts on. The same list is docs/aws.md's "Permissions the deploying identity needs" (a test keeps
 * the two equal); doctor asks IAM's policy simulator about each.
 */
public final class DeployerPermissions {
  /** Actions on one resource ARN ({@code *} for actions without one). */
  public record Grant(String resource, List<String> actions) {}

  private DeployerPermissions() {}

  /**
   * @param secretArn the secret's ARN when it exists; otherwise one is made up from its name with a
   *     wildcard suffix, which matches the {@code name-*} patterns policies use for a secret not
   *     yet created (Secrets Manager appends six random characters)
   */
  public static List<Grant> of(
      Account account, ResourceNames names, String secretName, String secretArn) {
    String p = account.partition();
    String secret =
        secretArn != null
            ? secretArn
            : "arn:"
                + p
                + ":secretsmanager:"
                + account.region()
                + ":"
                + account.id()
                + ":secret:"
                + secretName
                + "-*";
    return List.of(
        new Grant("*", List.of("sts:GetCallerIdentity")),
        new Grant(
            secret,
            prefixed(
                "secretsmanager:",
                "CreateSecret",
                "PutSecretValue",
                "DescribeSecret",
                "TagResource",
                "RestoreSecret",
                "DeleteSecret")),
        new Grant(
            account.roleArn(names.role()),
            prefixed(
                "iam:",
                "GetRole",
                "CreateRole",
                "GetRolePolicy",
                "PutRolePolicy",
                "UpdateAssumeRolePolicy",
                "ListRolePolicies",
                "ListAttachedRolePolicies",
                "DeleteRolePolicy",
                "DetachRolePolicy",
                "DeleteRole",
                "PassRole",
                "TagRole")),
        new Grant(
            account.functionArn(names.function()),
            prefixed(
                "lambda:",
                "GetFunction",
                "GetFunctionConfiguration",
                "CreateFunction",
                "UpdateFunctionCode",
                "UpdateFunctionConfiguration",
                "PublishVersion",
                "ListVersionsByFunction",
                "GetAlias",
                "CreateAlias",
                "UpdateAlias",
                "DeleteAlias",
                "GetPolicy",
                "AddPermission",
                "RemovePermission",
                "DeleteFunction",
                "TagResource",
                "GetFunctionUrlConfig",
                "CreateFunctionUrlConfig",
                "UpdateFunctionUrlConfig",
                "DeleteFunctionUrlConfig")),
        new Grant(
            "arn:" + p + ":apigateway:" + account.region() + "::/apis",
            prefixed("apigateway:", "GET", "POST", "PATCH", "DELETE")),
        new Grant(
            account.tableArn(names.keysTable()),
            prefixed(
                "dynamodb:",
                "CreateTable",
                "DescribeTable",
                "UpdateTable",
                "DeleteTable",
                "DescribeTimeToLive",
                "UpdateTimeToLive",
                "DescribeContinuousBackups",
                "UpdateContinuousBackups",
                "ListTagsOfResource",
                "TagResource",
                "GetItem",
                "PutItem",
                "UpdateItem",
                "Scan")),
        new Grant(
            account.logGroupArn(names.logGroup()),
            prefixed(
                "logs:",
                "DescribeLogGroups",
                "CreateLogGroup",
                "PutRetentionPolicy",
                "DeleteRetentionPolicy",
                "ListTagsForResource",
                "TagResource",
                "DeleteLogGroup",
                "FilterLogEvents")),
        new Grant(
            AlertTopic.arn(account, names),
            prefixed(
                "sns:",
                "GetTopicAttributes",
                "ListTagsForResource",
                "ListSubscriptionsByTopic",
                "CreateTopic",
                "TagResource",
                "Subscribe",
                "Unsubscribe",
                "DeleteTopic")),
        new Grant("*", prefixed("cloudwatch:", "GetMetricData", "DescribeAlarms")),
        new Grant(
            "arn:"
                + p
                + ":cloudwatch:"
                + account.region()
                + ":"
                + account.id()
                + ":alarm:"
                + names.alarm("*"),
            prefixed(
                "cloudwatch:",
                "ListTagsForResource",
                "PutMetricAlarm",
                "DeleteAlarms",
                "TagResource")),
        // The custom domain's certificate does not exist before deploy asks for it, and its zone
        // is found by name: neither has an ARN to simulate against in advance.
        new Grant(
            "*",
            prefixed(
                "acm:",
                "ListCertificates",
                "DescribeCertificate",
                "ListTagsForCertificate",
                "RequestCertificate",
                "AddTagsToCertificate",
                "DeleteCertificate")),
        new Grant(
            "*",
            prefixed(
                "route53:",
                "ListHostedZonesByName",
                "GetHostedZone",
                "ListResourceRecordSets",
                "ChangeResourceRecordSets")));
  }

  private static List<String> prefixed(String service, String... actions) {
    return java.util.Arrays.stream(actions).map(a -> service + a).toList();
  }
}
