package dev.novaproxy.aws;

import dev.novaproxy.config.ConfigFile;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

/**
 * Where AWS calls go: region, profile (null for the default credential chain) and an optional
 * endpoint override for emulators such as moto or LocalStack.
 */
public record AwsLocation(String region, String profile, URI endpoint) {

  /** The flags as given; null when absent. */
  public record Flags(String region, String profile, String endpointUrl) {}

  /**
   * Settings precedence: flags, then the environment ({@code AWS_REGION}, {@code
   * AWS_DEFAULT_REGION}, {@code AWS_PROFILE}, {@code AWS_ENDPOINT_URL}), then the profile's region
   * in ~/.aws/config, then the saved config file. A missing region is an access problem (exit 5)
   * naming the fixes.
   */
  public static AwsLocation resolve(Flags flags, Map<String, String> env, ConfigFile config) {
    String profile = first(flags.profile(), env.get("AWS_PROFILE"), config.get(ConfigFile.PROFILE));
    String region =
        first(
            flags.region(),
            env.get("AWS_REGION"),
            env.get("AWS_DEFAULT_REGION"),
            profileRegion(profile),
            config.get(ConfigFile.REGION));
    if (region == null) {
      throw new AwsException(
          AwsException.Kind.ACCESS,
          "No AWS region: pass --region (e.g. --region us-east-1), set AWS_REGION, or set one in your AWS profile.");
    }
    String endpoint =
        first(
            flags.endpointUrl(), env.get("AWS_ENDPOINT_URL"), config.get(ConfigFile.ENDPOINT_URL));
    URI uri = null;
    if (endpoint != null) {
      uri = URI.create(endpoint.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The endpoint URL '" + endpoint + "' is not a URL such as http://localhost:5000.");
      }
    }
    return new AwsLocation(region.trim(), profile, uri);
  }

  /** The region set in an AWS profile (null: the default profile), or null. */
  public static String profileRegion(String profile) {
    try {
      String name = profile != null ? profile : "default";
      return ProfileFile.defaultProfileFile()
          .profile(name)
          .flatMap(p -> p.property(ProfileProperty.REGION))
          .orElse(null);
    } catch (RuntimeException unreadable) {
      // A broken ~/.aws/config is reported by the SDK on the first call, with its own message.
      return null;
    }
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
