package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.apigatewayv2.model.ApiMapping;
import software.amazon.awssdk.services.apigatewayv2.model.DomainName;
import software.amazon.awssdk.services.apigatewayv2.model.DomainNameConfiguration;
import software.amazon.awssdk.services.apigatewayv2.model.EndpointType;
import software.amazon.awssdk.services.apigatewayv2.model.GetDomainNamesResponse;
import software.amazon.awssdk.services.apigatewayv2.model.IpAddressType;
import software.amazon.awssdk.services.apigatewayv2.model.NotFoundException;
import software.amazon.awssdk.services.apigatewayv2.model.SecurityPolicy;

/**
 * The API Gateway custom domain (REGIONAL, TLS 1.2, IPv4 and IPv6) and its one API mapping to the
 * HTTP API's {@code $default} stage. Its tags say which deployment made it, which zone holds its
 * alias records and which zone the user chose (so that a later deploy keeps the choice).
 */
public final class CustomDomain {
  /** The zone where deploy wrote the domain's alias records. */
  public static final String RECORDS_ZONE_TAG = "novaproxy:records-zone";

  /** The zone chosen with --hosted-zone-id; absent when deploy found the zone itself. */
  public static final String CHOSEN_ZONE_TAG = "novaproxy:hosted-zone-id";

  /**
   * Where the alias records point: API Gateway's regional name for the domain and its hosted zone.
   *
   * @param standIn true when the endpoint (an emulator) gave no target and these are made up
   */
  public record Target(String dnsName, String hostedZoneId, boolean standIn) {}

  /** A domain as API Gateway holds it, with its mappings. */
  public record Current(DomainName domain, List<ApiMapping> mappings) {
    public String name() {
      return domain.domainName();
    }

    public Map<String, String> tags() {
      return domain.tags() == null ? Map.of() : domain.tags();
    }

    public Optional<DomainNameConfiguration> config() {
      return domain.domainNameConfigurations().stream().findFirst();
    }

    public String certificateArn() {
      return config().map(DomainNameConfiguration::certificateArn).orElse(null);
    }

    /** The zone where deploy wrote the alias records (from the tag), or null. */
    public String recordsZone() {
      return tags().get(RECORDS_ZONE_TAG);
    }

    /** The API IDs it is mapped to. */
    public List<String> mappedApis() {
      return mappings.stream().map(ApiMapping::apiId).distinct().toList();
    }
  }

  private final AwsClients aws;

  public CustomDomain(AwsClients aws) {
    this.aws = aws;
  }

  /** This deployment's domain (by tag), when there is one. */
  public Optional<Current> ours(ResourceNames names) {
    String token = null;
    do {
      String t = token;
      GetDomainNamesResponse page = aws.apis().getDomainNames(r -> r.nextToken(t));
      for (DomainName d : page.items()) {
        if (names.owns(d.tags())) {
          return Optional.of(new Current(d, mappings(d.domainName())));
        }
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return Optional.empty();
  }

  /** The domain of this name, whoever made it. */
  public Optional<Current> read(String name) {
    DomainName d;
    try {
      var got = aws.apis().getDomainName(r -> r.domainName(name));
      d =
          DomainName.builder()
              .domainName(got.domainName())
              .domainNameConfigurations(got.domainNameConfigurations())
              .tags(got.tags())
              .build();
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(new Current(d, mappings(name)));
  }

  private List<ApiMapping> mappings(String name) {
    try {
      return aws.apis().getApiMappings(r -> r.domainName(name)).items();
    } catch (NotFoundException e) {
      return List.of();
    }
  }

  /**
   * Creates the domain with the issued certificate; returns where its alias records must point.
   *
   * @param chosenZone the zone the user chose, or null
   */
  public Target create(
      String name,
      String certificateArn,
      String recordsZone,
      String chosenZone,
      ResourceNames names) {
    Map<String, String> tags = new HashMap<>(names.tags());
    tags.put(RECORDS_ZONE_TAG, recordsZone);
    if (chosenZone != null) {
      tags.put(CHOSEN_ZONE_TAG, chosenZone);
    }
    var created =
        aws.apis()
            .createDomainName(
                r ->
                    r.domainName(name)
                        .domainNameConfigurations(
                            DomainNameConfiguration.builder()
                                .certificateArn(certificateArn)
                                .endpointType(EndpointType.REGIONAL)
                                .securityPolicy(SecurityPolicy.TLS_1_2)
                                // IPv4 only is API Gateway's default: then the AAAA alias would
                                // resolve to nothing.
                                .ipAddressType(IpAddressType.DUALSTACK)
                                .build())
                        .tags(tags));
    return target(name, created.domainNameConfigurations());
  }

  /** Where an existing domain's alias records must point. */
  public Target target(Current c) {
    return target(c.name(), c.domain().domainNameConfigurations());
  }

  /**
   * API Gateway always answers with the target; moto (5.2) echoes the request without it. Against
   * an emulator (an endpoint override) a stand-in under the reserved {@code .invalid} name is used,
   * so the records can still be written and checked; against AWS a missing target is an error.
   */
  private Target target(String name, List<DomainNameConfiguration> configs) {
    DomainNameConfiguration c = configs.isEmpty() ? null : configs.get(0);
    if (c != null && c.apiGatewayDomainName() != null && c.hostedZoneId() != null) {
      return new Target(c.apiGatewayDomainName(), c.hostedZoneId(), false);
    }
    if (aws.location().endpoint() != null) {
      return new Target(name + ".apigateway-target.invalid", STAND_IN_ZONE, true);
    }
    throw new AwsException(
        AwsException.Kind.FAILED,
        "API Gateway gave no target name or hosted zone for the custom domain "
            + name
            + "; check it with 'aws apigatewayv2 get-domain-name --domain-name "
            + name
            + "' and run deploy again.");
  }

  /** The stand-in target's zone (an emulator does not check it). */
  static final String STAND_IN_ZONE = "ZEMULATORSTANDIN";

  /** Maps the domain's root to the API's {@code $default} stage. */
  public void map(String name, String apiId) {
    aws.apis()
        .createApiMapping(
            r -> r.domainName(name).apiId(apiId).stage(ResourceNames.STAGE).apiMappingKey(""));
  }

  /** Removes these mappings of the domain. */
  public void unmap(String name, List<ApiMapping> mappings) {
    for (ApiMapping m : mappings) {
      try {
        aws.apis().deleteApiMapping(r -> r.domainName(name).apiMappingId(m.apiMappingId()));
      } catch (NotFoundException e) {
        // already gone
      }
    }
  }

  /**
   * Deletes the domain, its mappings first (AWS would remove them with it; moto fails if they are
   * still there); false when it was already gone.
   */
  public boolean delete(Current c) {
    unmap(c.name(), new ArrayList<>(c.mappings()));
    try {
      aws.apis().deleteDomainName(r -> r.domainName(c.name()));
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }
}
