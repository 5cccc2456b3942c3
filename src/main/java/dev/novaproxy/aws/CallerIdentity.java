package dev.novaproxy.aws;

import java.util.Arrays;
import java.util.Optional;
import software.amazon.awssdk.core.useragent.BusinessMetricFeatureId;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Who the credentials in use belong to (STS GetCallerIdentity) and where the SDK's default chain
 * found them, for {@code doctor}.
 *
 * @param arn the caller's ARN as STS reports it (an assumed role's is an {@code sts} ARN)
 * @param source where the credentials came from, in words (e.g. "profile dev"), or null
 */
public record CallerIdentity(String arn, String account, String source) {
  public static CallerIdentity of(AwsClients aws) {
    String source = describe(aws.credentialSource(), aws.location().profile());
    GetCallerIdentityResponse me = aws.sts().getCallerIdentity();
    return new CallerIdentity(me.arn(), me.account(), source);
  }

  /** The account this identity's ARNs are built from, for resources in {@code region}. */
  public Account account(String region) {
    String[] parts = arn.split(":");
    return new Account(account, parts.length > 1 ? parts[1] : "aws", region);
  }

  /**
   * The IAM principal whose policies decide what this caller may do, as IAM's policy simulator
   * wants it: an assumed role's session ARN ({@code arn:aws:sts::1:assumed-role/R/session}) becomes
   * the role's ({@code arn:aws:iam::1:role/R}; a role with a path is not found this way, since the
   * session ARN drops the path). Empty for the root user and federated users, which the simulator
   * does not take.
   */
  public Optional<String> principalArn() {
    String[] parts = arn.split(":", 6);
    if (parts.length < 6) {
      return Optional.empty();
    }
    String prefix = "arn:" + parts[1] + ":iam::" + parts[4] + ":";
    String resource = parts[5];
    if (resource.startsWith("assumed-role/")) {
      String role = resource.substring("assumed-role/".length()).split("/")[0];
      return Optional.of(prefix + "role/" + role);
    }
    if (resource.startsWith("user/") || resource.startsWith("role/")) {
      // moto reports a user with an sts ARN; IAM's own is arn:...:iam::...
      return Optional.of(prefix + resource);
    }
    return Optional.empty();
  }

  /**
   * The SDK names the provider that found the credentials with user-agent feature codes (e.g.
   * {@code "n"}, several joined by commas); these are the same for every SDK, so they map to words.
   */
  static String describe(String codes, String profile) {
    if (codes == null) {
      return profile == null ? null : "profile " + profile;
    }
    for (String code : codes.split(",")) {
      Optional<BusinessMetricFeatureId> id =
          Arrays.stream(BusinessMetricFeatureId.values())
              .filter(f -> f.value().equals(code.trim()) && f.name().startsWith("CREDENTIALS_"))
              .findFirst();
      if (id.isPresent()) {
        return words(id.get().name(), profile == null ? "default" : profile);
      }
    }
    return profile == null ? codes : "profile " + profile;
  }

  private static String words(String feature, String profile) {
    if (feature.contains("PROFILE")) {
      return "profile " + profile + (feature.contains("SSO") ? " (SSO)" : "") + " in ~/.aws";
    }
    return switch (feature) {
      case "CREDENTIALS_JVM_SYSTEM_PROPERTIES" -> "Java system properties aws.accessKeyId";
      case "CREDENTIALS_ENV_VARS" -> "environment variables AWS_ACCESS_KEY_ID";
      case "CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN", "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID" ->
          "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)";
      case "CREDENTIALS_SSO", "CREDENTIALS_SSO_LEGACY" -> "SSO";
      case "CREDENTIALS_HTTP" -> "the container credentials endpoint";
      case "CREDENTIALS_IMDS" -> "the EC2 instance role";
      case "CREDENTIALS_PROCESS" -> "a credential_process";
      default -> feature.substring("CREDENTIALS_".length()).toLowerCase(java.util.Locale.ROOT);
    };
  }
}
