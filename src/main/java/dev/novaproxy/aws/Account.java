package dev.novaproxy.aws;

import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** Who the credentials belong to: the account ID and partition that every ARN is built from. */
public record Account(String id, String partition, String region) {
  public static Account of(AwsClients aws) {
    GetCallerIdentityResponse me = aws.sts().getCallerIdentity();
    // arn:PARTITION:sts::ACCOUNT:assumed-role/...
    String partition =
        me.arn() != null && me.arn().split(":").length > 1 ? me.arn().split(":")[1] : "aws";
    return new Account(me.account(), partition, aws.region());
  }

  public String roleArn(String role) {
    return "arn:" + partition + ":iam::" + id + ":role/" + role;
  }

  public String functionArn(String function) {
    return "arn:" + partition + ":lambda:" + region + ":" + id + ":function:" + function;
  }

  public String logGroupArn(String logGroup) {
    return "arn:" + partition + ":logs:" + region + ":" + id + ":log-group:" + logGroup;
  }

  public String tableArn(String table) {
    return "arn:" + partition + ":dynamodb:" + region + ":" + id + ":table/" + table;
  }

  public String executeApiArn(String apiId) {
    return "arn:" + partition + ":execute-api:" + region + ":" + id + ":" + apiId + "/*";
  }

  public String apiUrl(String apiId) {
    String suffix = partition.equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
    return "https://" + apiId + ".execute-api." + region + "." + suffix;
  }
}
