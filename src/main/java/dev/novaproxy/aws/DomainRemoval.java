package dev.novaproxy.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Removing a custom domain deploy made (another name, {@code --domain none}, destroy): the alias
 * records to its target, the domain with its mapping, and the certificates tagged as the
 * deployment's with their validation record when the certificate's tag says deploy created it.
 * Never a certificate or record deploy did not create.
 */
public final class DomainRemoval {
  /** How long destroy retries a certificate API Gateway has not released yet. */
  static final Backoff RELEASE =
      new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMinutes(2));

  /**
   * The domain deploy made and is to remove, with what it made around it.
   *
   * @param domain null when only a certificate is left (a deploy that timed out)
   * @param aliases the alias records to the domain's target
   * @param certificates this deployment's certificates for the name
   */
  public record Removal(
      CustomDomain.Current domain, List<ResourceRecordSet> aliases, List<Owned> certificates) {
    /** A certificate of ours and, when deploy created it, its validation record and zone. */
    public record Owned(
        Certificate.Current certificate, String zone, List<ResourceRecordSet> record) {}
  }

  private final AwsClients aws;
  private final ResourceNames names;

  public DomainRemoval(AwsClients aws, ResourceNames names) {
    this.aws = aws;
    this.names = names;
  }

  /** Everything this deployment made for a domain, for destroy. */
  public Removal find() {
    return find(new DomainDeployment(aws, names).observe().orElse(null), null);
  }

  /**
   * What deploy made for the domain {@code name} ({@code null}: for any name, as destroy removes);
   * {@code domain} is null when there is none.
   */
  Removal find(CustomDomain.Current domain, String name) {
    var zones = new HostedZone(aws);
    List<ResourceRecordSet> aliases = List.of();
    if (domain != null && domain.recordsZone() != null) {
      CustomDomain.Target target = new CustomDomain(aws).target(domain);
      aliases =
          zones.records(domain.recordsZone(), domain.name()).stream()
              .filter(
                  r ->
                      DomainDeployment.ALIAS_TYPES.contains(r.type())
                          && HostedZone.aliases(r, target))
              .toList();
    }
    List<Removal.Owned> certs = new ArrayList<>();
    for (Certificate.Current c : new DomainDeployment(aws, names).ownedCertificates()) {
      if (name != null && !name.equals(c.domain())) {
        continue;
      }
      String zone = c.validationZone();
      List<ResourceRecordSet> record =
          zone == null || c.record() == null
              ? List.of()
              : zones.records(zone, c.record().name()).stream()
                  .filter(
                      r ->
                          r.type() == RRType.CNAME && DomainDeployment.holds(r, c.record().value()))
                  .toList();
      certs.add(new Removal.Owned(c, zone, record));
    }
    return new Removal(domain, aliases, certs);
  }

  public static List<PlanStep> steps(Removal r) {
    List<PlanStep> steps = new ArrayList<>();
    if (!r.aliases().isEmpty()) {
      steps.add(
          new PlanStep(
              "dns-alias", r.domain().name() + " " + types(r.aliases()), Action.DELETE, List.of()));
    }
    if (r.domain() != null) {
      steps.add(
          new PlanStep(
              "domain", r.domain().name(), Action.DELETE, List.of("with its API mapping")));
    }
    for (Removal.Owned c : r.certificates()) {
      if (!c.record().isEmpty()) {
        steps.add(
            new PlanStep(
                "validation",
                "CNAME " + c.certificate().record().name() + " in " + c.zone(),
                Action.DELETE,
                List.of()));
      }
      steps.add(
          new PlanStep(
              "certificate",
              c.certificate().domain() + " (" + c.certificate().status() + ")",
              Action.DELETE,
              List.of()));
    }
    return steps;
  }

  private static String types(List<ResourceRecordSet> sets) {
    return String.join(", ", sets.stream().map(ResourceRecordSet::typeAsString).toList());
  }

  /** Removes what {@link #find} found, one step each; returns how many steps it used. */
  int remove(Removal r, List<PlanStep> steps, StepClock clock) {
    int i = 0;
    var zones = new HostedZone(aws);
    if (!r.aliases().isEmpty()) {
      clock.run(steps.get(i++), () -> zones.delete(r.domain().recordsZone(), r.aliases()));
    }
    if (r.domain() != null) {
      clock.run(steps.get(i++), () -> new CustomDomain(aws).delete(r.domain()));
    }
    var certs = new Certificate(aws);
    for (Removal.Owned c : r.certificates()) {
      if (!c.record().isEmpty()) {
        clock.run(steps.get(i++), () -> zones.delete(c.zone(), c.record()));
      }
      clock.run(steps.get(i++), () -> certs.delete(c.certificate().arn(), RELEASE));
    }
    return i;
  }

  /** Removes what {@link #find()} found (destroy), one progress line per step. */
  public void remove(Removal r, Progress progress) {
    remove(r, steps(r), new StepClock(progress));
  }
}
