package dev.novaproxy.aws;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The SDK clients, built once per command with one region, one credential provider, the endpoint
 * override and one HTTP client. The HTTP client is Apache because url-connection cannot send PATCH,
 * which every API Gateway v2 {@code Update*} call uses; it is set explicitly since several are on
 * the classpath.
 */
public final class AwsClients implements AutoCloseable {
  private final AwsLocation location;
  private final SdkHttpClient http;
  private final AwsCredentialsProvider credentials;
  private final AwsCallLog log = new AwsCallLog();

  private SecretsManagerClient secrets;
  private IamClient iam;
  private LambdaClient lambda;
  private ApiGatewayV2Client apis;
  private StsClient sts;
  private DynamoDbClient dynamodb;
  private CloudWatchClient cloudwatch;
  private CloudWatchLogsClient logs;
  private SnsClient sns;
  private AcmClient acm;
  private Route53Client route53;

  public AwsClients(AwsLocation location) {
    this.location = location;
    this.http =
        ApacheHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(60))
            .build();
    this.credentials =
        location.profile() == null
            ? DefaultCredentialsProvider.builder().build()
            : DefaultCredentialsProvider.builder().profileName(location.profile()).build();
  }

  public AwsLocation location() {
    return location;
  }

  public String region() {
    return location.region();
  }

  /** Every operation these clients have called. */
  public AwsCallLog calls() {
    return log;
  }

  public synchronized SecretsManagerClient secrets() {
    if (secrets == null) {
      secrets = configure(SecretsManagerClient.builder()).httpClient(http).build();
    }
    return secrets;
  }

  public synchronized IamClient iam() {
    if (iam == null) {
      // IAM is global: its endpoint lives in the partition's global region.
      iam = configure(IamClient.builder()).region(globalRegion()).httpClient(http).build();
    }
    return iam;
  }

  public synchronized LambdaClient lambda() {
    if (lambda == null) {
      lambda = configure(LambdaClient.builder()).httpClient(http).build();
    }
    return lambda;
  }

  public synchronized ApiGatewayV2Client apis() {
    if (apis == null) {
      apis = configure(ApiGatewayV2Client.builder()).httpClient(http).build();
    }
    return apis;
  }

  public synchronized StsClient sts() {
    if (sts == null) {
      sts = configure(StsClient.builder()).httpClient(http).build();
    }
    return sts;
  }

  /** The keys table: created by deploy, read and written by the {@code keys} commands. */
  public synchronized DynamoDbClient dynamodb() {
    if (dynamodb == null) {
      dynamodb = configure(DynamoDbClient.builder()).httpClient(http).build();
    }
    return dynamodb;
  }

  /** The alarms and the metrics status shows. */
  public synchronized CloudWatchClient cloudwatch() {
    if (cloudwatch == null) {
      cloudwatch = configure(CloudWatchClient.builder()).httpClient(http).build();
    }
    return cloudwatch;
  }

  /** The function's log group. */
  public synchronized CloudWatchLogsClient logs() {
    if (logs == null) {
      logs = configure(CloudWatchLogsClient.builder()).httpClient(http).build();
    }
    return logs;
  }

  /** The alarms' topic. */
  public synchronized SnsClient sns() {
    if (sns == null) {
      sns = configure(SnsClient.builder()).httpClient(http).build();
    }
    return sns;
  }

  /**
   * Which provider of the default chain found the credentials, as the SDK names it (user-agent
   * feature codes such as {@code "n"}), or null. Resolves them: without any it throws as a call
   * would.
   */
  public String credentialSource() {
    return credentials.resolveCredentials().providerName().orElse(null);
  }

  /** The custom domain's certificate: in the API's region, as API Gateway requires. */
  public synchronized AcmClient acm() {
    if (acm == null) {
      acm = configure(AcmClient.builder()).httpClient(http).build();
    }
    return acm;
  }

  /** The custom domain's DNS records. Route 53 is global, like IAM. */
  public synchronized Route53Client route53() {
    if (route53 == null) {
      route53 = configure(Route53Client.builder()).region(globalRegion()).httpClient(http).build();
    }
    return route53;
  }

  private Region globalRegion() {
    String r = location.region();
    if (r.startsWith("cn-")) {
      return Region.AWS_CN_GLOBAL;
    }
    if (r.startsWith("us-gov-")) {
      return Region.AWS_US_GOV_GLOBAL;
    }
    return Region.AWS_GLOBAL;
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    builder
        .region(Region.of(location.region()))
        .credentialsProvider(credentials)
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().addExecutionInterceptor(log).build());
    if (location.endpoint() != null) {
      builder.endpointOverride(location.endpoint());
    }
    return builder;
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable c :
        new AutoCloseable[] {
          secrets, iam, lambda, apis, sts, dynamodb, cloudwatch, logs, sns, acm, route53
        }) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing is best effort; nothing is pending
        }
      }
    }
    http.close();
    if (credentials instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
