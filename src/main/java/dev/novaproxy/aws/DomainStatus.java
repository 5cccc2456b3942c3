package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** The custom domain's part of {@code status}: what deploy made for it, as AWS holds it now. */
public final class DomainStatus {
  private final AwsClients aws;
  private final ResourceNames names;

  public DomainStatus(AwsClients aws, ResourceNames names) {
    this.aws = aws;
    this.names = names;
  }

  /** The domain's rows for status, and its chat URL when the domain exists. */
  public record Report(List<DeploymentStatus.Resource> resources, String url) {}

  /**
   * What status shows: the domain, its mapping, its certificate and its records; a certificate
   * alone when a deploy stopped before making the domain; nothing when there is no domain.
   *
   * @param apiId the HTTP API's ID, or null when there is none
   */
  public Report read(String apiId) {
    Optional<CustomDomain.Current> have = new DomainDeployment(aws, names).observe();
    List<DeploymentStatus.Resource> rows = new ArrayList<>();
    var certs = new Certificate(aws);
    if (have.isEmpty()) {
      for (Certificate.Current c : new DomainDeployment(aws, names).ownedCertificates()) {
        rows.add(certificateRow(c));
      }
      return new Report(rows, null);
    }
    CustomDomain.Current d = have.get();
    var config = d.config();
    rows.add(
        new DeploymentStatus.Resource(
            "domain",
            d.name(),
            true,
            config.map(c -> c.domainNameStatusAsString()).orElse(null),
            config
                .map(c -> c.endpointTypeAsString() + " " + c.securityPolicyAsString())
                .orElse(null),
            null));
    List<String> apis = d.mappedApis();
    boolean mapped = apiId != null && apis.contains(apiId);
    rows.add(
        new DeploymentStatus.Resource(
            "api-mapping",
            d.name() + " -> " + (mapped ? apiId : String.join(", ", apis)),
            mapped,
            mapped ? "ToThisApi" : apis.isEmpty() ? null : "OtherApi",
            null,
            null));
    Certificate.Current cert = null;
    if (d.certificateArn() != null) {
      try {
        cert = certs.describe(d.certificateArn());
      } catch (software.amazon.awssdk.services.acm.model.ResourceNotFoundException gone) {
        cert = null;
      }
    }
    rows.add(
        cert == null
            ? new DeploymentStatus.Resource("certificate", d.name(), false, null, null, null)
            : certificateRow(cert));
    String zone = d.recordsZone();
    if (zone != null) {
      var zones = new HostedZone(aws);
      CustomDomain.Target target = new CustomDomain(aws).target(d);
      List<String> types =
          zones.records(zone, d.name()).stream()
              .filter(r -> HostedZone.aliases(r, target))
              .map(ResourceRecordSet::typeAsString)
              .sorted()
              .toList();
      rows.add(
          new DeploymentStatus.Resource(
              "dns-alias",
              d.name() + " in " + zone,
              !types.isEmpty(),
              types.size() == DomainDeployment.ALIAS_TYPES.size()
                  ? "Alias A, AAAA"
                  : "AliasMissing",
              "-> " + target.dnsName(),
              null));
      if (cert != null && cert.record() != null) {
        Certificate.ValidationRecord v = cert.record();
        String vzone = cert.validationZone() != null ? cert.validationZone() : zone;
        boolean there =
            zones.records(vzone, v.name()).stream()
                .anyMatch(r -> r.type() == RRType.CNAME && DomainDeployment.holds(r, v.value()));
        // A reused certificate may have been validated through DNS that is not here.
        if (there || cert.ownedBy(names)) {
          rows.add(
              new DeploymentStatus.Resource(
                  "validation",
                  "CNAME " + v.name() + " in " + vzone,
                  there,
                  there ? (cert.validationZone() != null ? "CreatedByDeploy" : "Existing") : null,
                  null,
                  null));
        }
      }
    }
    return new Report(rows, DomainDeployment.settingOf(d).chatUrl());
  }

  private DeploymentStatus.Resource certificateRow(Certificate.Current c) {
    return new DeploymentStatus.Resource(
        "certificate",
        c.domain() + " (" + c.arn() + ")",
        true,
        c.status(),
        c.ownedBy(names) ? "requested by deploy" : "reused, not deploy's",
        null);
  }
}
