package dev.novaproxy.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.apigatewayv2.model.ApiMapping;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The custom domain's part of a deploy: the certificate (requested, or an issued or pending one for
 * exactly the name reused), its validation CNAME in the zone that owns the name, the wait for
 * issuance, the API Gateway domain and its mapping to the HTTP API, and the alias records A and
 * AAAA. Planned from reads only, like the rest of the deployment; a re-run after a timeout resumes
 * where it stopped. Removing it (another name, {@code --domain none}) is {@link DomainRemoval}'s,
 * which destroy uses too; {@code status} reads it through {@link DomainStatus}.
 */
public final class DomainDeployment {
  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);

  /** How often ACM is asked while waiting: validation takes minutes, and each look is a line. */
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(15);

  /** ACM gives a new certificate's validation record within seconds. */
  static final Duration RECORD_WAIT = Duration.ofMinutes(1);

  static final List<RRType> ALIAS_TYPES = List.of(RRType.A, RRType.AAAA);

  /** What a deploy will do for the domain: its steps, and what it read to decide. */
  public record Plan(List<PlanStep> steps, DomainRemoval.Removal removal, Setup setup) {
    static Plan none() {
      return new Plan(List.of(), null, null);
    }
  }

  /**
   * The domain deploy wants and what exists for it.
   *
   * @param certificate null when one is to be requested
   * @param domain this deployment's domain of that name, or null
   */
  public record Setup(
      DomainSetting want,
      HostedZone.Zone zone,
      Certificate.Current certificate,
      CustomDomain.Current domain) {}

  private final AwsClients aws;
  private final ResourceNames names;
  private final Duration wait;
  private final Duration poll;

  public DomainDeployment(AwsClients aws, ResourceNames names) {
    this(aws, names, DEFAULT_WAIT, DEFAULT_POLL);
  }

  public DomainDeployment(AwsClients aws, ResourceNames names, Duration wait, Duration poll) {
    this.aws = aws;
    this.names = names;
    this.wait = wait;
    this.poll = poll;
  }

  /** This deployment's domain, when there is one: the setting a deploy starts from. */
  public Optional<CustomDomain.Current> observe() {
    return unlessDenied(() -> new CustomDomain(aws).ours(names), Optional.empty());
  }

  /**
   * A look for a domain or certificate of the deployment that every deploy, status and destroy
   * makes. An identity that never used --domain may lack the API Gateway domain and ACM
   * permissions: denied, the look finds nothing rather than failing those commands. With --domain,
   * the calls that follow are not excused, and name the missing permission.
   */
  static <T> T unlessDenied(java.util.function.Supplier<T> look, T nothing) {
    try {
      return look.get();
    } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
      // API Gateway answers 403; ACM, a JSON protocol, 400 with AccessDeniedException.
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (e.statusCode() == 403 || "AccessDeniedException".equals(code)) {
        return nothing;
      }
      throw e;
    }
  }

  List<Certificate.Current> ownedCertificates() {
    return unlessDenied(() -> new Certificate(aws).owned(names), List.of());
  }

  /** The setting an existing domain of ours stands for. */
  public static DomainSetting settingOf(CustomDomain.Current c) {
    return new DomainSetting(c.name(), c.tags().get(CustomDomain.CHOSEN_ZONE_TAG));
  }

  /**
   * Plans from reads only.
   *
   * @param want the domain deploy wants, or null for none
   * @param have this deployment's domain, from {@link #observe}
   * @param apiId the HTTP API's ID, or null when it is still to be created
   * @throws AwsException when the name cannot be used: no zone owns it, another API or deployment
   *     has it, or records deploy did not create stand where its records go
   */
  public Plan plan(DomainSetting want, Optional<CustomDomain.Current> have, String apiId) {
    if (want == null && have.isEmpty()) {
      return Plan.none();
    }
    List<PlanStep> steps = new ArrayList<>();
    DomainRemoval.Removal removal = null;
    if (have.isPresent() && (want == null || !want.name().equals(have.get().name()))) {
      var removing = new DomainRemoval(aws, names);
      removal = removing.find(have.get(), have.get().name());
      steps.addAll(DomainRemoval.steps(removal));
    }
    Setup setup = null;
    if (want != null) {
      setup = setup(want, have.filter(h -> h.name().equals(want.name())));
      steps.addAll(setupSteps(setup, apiId));
    }
    return new Plan(steps, removal, setup);
  }

  private Setup setup(DomainSetting want, Optional<CustomDomain.Current> ours) {
    var zones = new HostedZone(aws);
    CustomDomain.Current domain = ours.orElse(null);
    HostedZone.Zone zone;
    if (domain != null && domain.recordsZone() != null) {
      // The zone its records are in stays the domain's, even if a closer zone appears later.
      if (want.hostedZoneId() != null && !want.hostedZoneId().equals(domain.recordsZone())) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The domain "
                + want.name()
                + " has its records in the zone "
                + domain.recordsZone()
                + "; to move them, remove the domain (deploy --domain none), then deploy --domain "
                + want.name()
                + " --hosted-zone-id "
                + want.hostedZoneId()
                + ".");
      }
      zone = zones.owning(want.name(), domain.recordsZone());
    } else {
      zone = zones.owning(want.name(), want.hostedZoneId());
    }
    if (domain == null) {
      Optional<CustomDomain.Current> existing = new CustomDomain(aws).read(want.name());
      if (existing.isPresent()) {
        throw taken(existing.get());
      }
    }
    var certs = new Certificate(aws);
    Certificate.Current cert = null;
    if (domain != null && domain.certificateArn() != null) {
      try {
        cert = certs.describe(domain.certificateArn());
      } catch (software.amazon.awssdk.services.acm.model.ResourceNotFoundException gone) {
        cert = null;
      }
    }
    if (cert == null) {
      cert = certs.find(want.name(), names).orElse(null);
    }
    if (cert != null && cert.record() != null) {
      checkValidationRecord(zones, zone, cert.record());
    }
    checkAliasRecords(zones, zone, want.name(), domain);
    return new Setup(want, zone, cert, domain);
  }

  /** The error for a domain of this name that is not this deployment's. */
  private AwsException taken(CustomDomain.Current other) {
    String owner = other.tags().get(ResourceNames.TAG);
    List<String> apis = other.mappedApis();
    String why =
        !apis.isEmpty()
            ? "is already mapped to another API (" + String.join(", ", apis) + ")"
            : owner != null
                ? "belongs to the novaproxy deployment '" + owner + "'"
                : "exists in API Gateway and was not created by this deployment";
    return new AwsException(
        AwsException.Kind.FAILED,
        "The custom domain "
            + other.name()
            + " "
            + why
            + ": remove it there (aws apigatewayv2 delete-domain-name --domain-name "
            + other.name()
            + ") or choose another --domain.");
  }

  /** A CNAME of another value where ACM's record goes is not deploy's to overwrite. */
  private static void checkValidationRecord(
      HostedZone zones, HostedZone.Zone zone, Certificate.ValidationRecord record) {
    for (ResourceRecordSet s : zones.records(zone.id(), record.name())) {
      if (s.type() == RRType.CNAME && !holds(s, record.value())) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The zone "
                + zone.describe()
                + " has a CNAME "
                + record.name()
                + " with another value than ACM's "
                + record.value()
                + "; deploy does not overwrite records it did not create: fix or delete it.");
      }
    }
  }

  /** A or AAAA (or CNAME) records at the name that do not point at our domain are someone's. */
  private void checkAliasRecords(
      HostedZone zones, HostedZone.Zone zone, String name, CustomDomain.Current domain) {
    CustomDomain.Target target = domain == null ? null : new CustomDomain(aws).target(domain);
    for (ResourceRecordSet s : zones.records(zone.id(), name)) {
      boolean address = ALIAS_TYPES.contains(s.type()) || s.type() == RRType.CNAME;
      if (address && (target == null || !HostedZone.aliases(s, target))) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The zone "
                + zone.describe()
                + " already has a record of type "
                + s.typeAsString()
                + " for "
                + name
                + " that deploy did not create"
                + (s.aliasTarget() != null ? " (alias to " + s.aliasTarget().dnsName() + ")" : "")
                + "; deploy never overwrites it: delete it or choose another --domain.");
      }
    }
  }

  static boolean holds(ResourceRecordSet s, String value) {
    return s.resourceRecords().stream()
        .map(ResourceRecord::value)
        .anyMatch(v -> bare(v).equals(bare(value)));
  }

  private static String bare(String name) {
    return HostedZone.bare(name);
  }

  private List<PlanStep> setupSteps(Setup s, String apiId) {
    String name = s.want().name();
    List<PlanStep> steps = new ArrayList<>();
    Certificate.Current cert = s.certificate();
    steps.add(
        cert == null
            ? PlanStep.create("certificate", name + " (ACM, DNS validation, " + aws.region() + ")")
            : PlanStep.unchanged(
                "certificate",
                name
                    + " ("
                    + cert.status()
                    + (cert.ownedBy(names) ? "" : ", reused: not deploy's, destroy keeps it")
                    + ")"));
    boolean recordThere =
        cert != null
            && cert.record() != null
            && new HostedZone(aws)
                .records(s.zone().id(), cert.record().name()).stream()
                    .anyMatch(r -> r.type() == RRType.CNAME && holds(r, cert.record().value()));
    String recordName = cert == null || cert.record() == null ? "(from ACM)" : cert.record().name();
    String validation = "CNAME " + recordName + " in " + s.zone().describe();
    steps.add(
        recordThere
            ? PlanStep.unchanged("validation", validation)
            : PlanStep.create("validation", validation));
    steps.add(
        cert != null && cert.issued()
            ? PlanStep.unchanged("issuance", name + " (ISSUED)")
            : new PlanStep(
                "issuance",
                name,
                Action.UPDATE,
                List.of("wait up to " + Certificate.minutes(wait) + " for ACM to issue it")));
    CustomDomain.Current d = s.domain();
    steps.add(
        d == null
            ? PlanStep.create("domain", name + " (REGIONAL, TLS_1_2)")
            : PlanStep.unchanged(
                "domain",
                name
                    + d.config()
                        .map(
                            c ->
                                " ("
                                    + c.endpointTypeAsString()
                                    + ", "
                                    + c.securityPolicyAsString()
                                    + ")")
                        .orElse("")));
    String mapping =
        name + " -> " + (apiId == null ? "the API" : apiId) + " " + ResourceNames.STAGE;
    List<String> others =
        d == null ? List.of() : d.mappedApis().stream().filter(a -> !a.equals(apiId)).toList();
    boolean mapped = d != null && apiId != null && d.mappedApis().contains(apiId);
    if (mapped && others.isEmpty()) {
      steps.add(PlanStep.unchanged("api-mapping", mapping));
    } else if (others.isEmpty()) {
      steps.add(PlanStep.create("api-mapping", mapping));
    } else {
      steps.add(
          new PlanStep(
              "api-mapping",
              mapping,
              Action.UPDATE,
              List.of((mapped ? "unmap " : "remap from ") + String.join(", ", others))));
    }
    String aliases = name + " A, AAAA in " + s.zone().describe();
    List<RRType> missing = d == null ? ALIAS_TYPES : missingAliases(s.zone(), d);
    steps.add(
        missing.isEmpty()
            ? PlanStep.unchanged("dns-alias", aliases)
            : missing.size() == ALIAS_TYPES.size()
                ? PlanStep.create("dns-alias", aliases)
                : new PlanStep("dns-alias", aliases, Action.UPDATE, List.of("add " + missing)));
    return steps;
  }

  private List<RRType> missingAliases(HostedZone.Zone zone, CustomDomain.Current d) {
    CustomDomain.Target target = new CustomDomain(aws).target(d);
    List<ResourceRecordSet> have = new HostedZone(aws).records(zone.id(), d.name());
    return ALIAS_TYPES.stream()
        .filter(t -> have.stream().noneMatch(r -> r.type() == t && HostedZone.aliases(r, target)))
        .toList();
  }

  /**
   * Applies the plan after the API exists; returns the chat URL on the domain, or null when there
   * is no domain.
   */
  public String apply(Plan plan, String apiId, Progress progress, StepClock clock) {
    int next = 0;
    if (plan.removal() != null) {
      next = new DomainRemoval(aws, names).remove(plan.removal(), plan.steps(), clock);
    }
    Setup s = plan.setup();
    if (s == null) {
      return null;
    }
    List<PlanStep> steps = plan.steps().subList(next, plan.steps().size());
    String name = s.want().name();
    var certs = new Certificate(aws);
    var zones = new HostedZone(aws);
    var domains = new CustomDomain(aws);
    String requested = clock.run(steps.get(0), () -> certs.request(name, names));
    String arn = requested != null ? requested : s.certificate().arn();
    Certificate.Current cert =
        clock.run(steps.get(1), () -> writeValidationRecord(certs, zones, arn, s.zone()));
    if (cert == null) {
      cert = s.certificate();
    }
    Certificate.ValidationRecord record = cert.record();
    clock.run(
        steps.get(2),
        () -> certs.awaitIssued(arn, wait, poll, progress, whatToCheck(s.zone(), record)));
    CustomDomain.Target created =
        clock.run(
            steps.get(3),
            () -> domains.create(name, arn, s.zone().id(), s.want().hostedZoneId(), names));
    CustomDomain.Target target = created != null ? created : domains.target(s.domain());
    clock.run(
        steps.get(4),
        () -> {
          List<ApiMapping> others =
              s.domain() == null
                  ? List.of()
                  : s.domain().mappings().stream().filter(m -> !m.apiId().equals(apiId)).toList();
          domains.unmap(name, others);
          if (s.domain() == null || !s.domain().mappedApis().contains(apiId)) {
            domains.map(name, apiId);
          }
          return null;
        });
    clock.run(
        steps.get(5),
        () -> {
          zones.upsert(
              s.zone().id(),
              ALIAS_TYPES.stream().map(t -> HostedZone.alias(name, t, target)).toList());
          return null;
        });
    if (target.standIn() && steps.get(5).mutates()) {
      progress.line(
          "  note: the endpoint gave the domain no target (moto does not emulate it); the alias"
              + " records point to the stand-in "
              + target.dnsName());
    }
    return s.want().chatUrl();
  }

  /**
   * Writes the certificate's validation CNAME unless the zone already has it. On a certificate of
   * ours, the write is recorded on the certificate first, so that destroy deletes the record only
   * when deploy created it (an earlier certificate for the name may have left the same record).
   */
  private Certificate.Current writeValidationRecord(
      Certificate certs, HostedZone zones, String arn, HostedZone.Zone zone) {
    Certificate.Current c = certs.awaitRecord(arn, RECORD_WAIT, poll);
    Certificate.ValidationRecord r = c.record();
    boolean there =
        zones.records(zone.id(), r.name()).stream()
            .anyMatch(x -> x.type() == RRType.CNAME && holds(x, r.value()));
    if (!there) {
      if (c.ownedBy(names)) {
        certs.claimValidationRecord(arn, zone.id());
      }
      zones.upsert(zone.id(), List.of(HostedZone.cname(r.name(), r.value())));
    }
    return c;
  }

  private static String whatToCheck(HostedZone.Zone zone, Certificate.ValidationRecord r) {
    return "check that the zone "
        + zone.describe()
        + " holds the CNAME "
        + r.name()
        + " -> "
        + r.value()
        + ", and that the registrar delegates "
        + zone.name()
        + " to that zone's name servers (compare 'dig NS "
        + zone.name()
        + "' with 'aws route53 get-hosted-zone --id "
        + zone.id()
        + "').";
  }
}
