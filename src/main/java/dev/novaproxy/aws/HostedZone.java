package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.InvalidChangeBatchException;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The Route 53 hosted zone that owns the custom domain, and the records deploy writes in it: the
 * certificate's validation CNAME and the domain's alias records. Records cannot be tagged, so which
 * of them deploy created is recorded elsewhere (see {@link Certificate} and {@link CustomDomain}).
 */
public final class HostedZone {
  /** A zone; {@code id} without "/hostedzone/", {@code name} without the trailing dot. */
  public record Zone(String id, String name) {
    public String describe() {
      return name + " (" + id + ")";
    }
  }

  /** The TTL of the validation CNAME, as ACM's console writes it. */
  static final long VALIDATION_TTL = 300;

  private final AwsClients aws;

  public HostedZone(AwsClients aws) {
    this.aws = aws;
  }

  /**
   * The public zone that owns {@code domain}: the one named {@code chosenId} when given, else the
   * public zone with the longest name that is {@code domain} or a parent of it.
   *
   * @throws AwsException NOT_FOUND when no zone owns it; FAILED when the choice is ambiguous or the
   *     chosen zone cannot hold the domain
   */
  public Zone owning(String domain, String chosenId) {
    if (chosenId != null) {
      return chosen(domain, chosenId);
    }
    List<String> tried = new ArrayList<>();
    for (String candidate = domain;
        candidate.contains(".");
        candidate = candidate.substring(candidate.indexOf('.') + 1)) {
      tried.add(candidate);
      String c = candidate;
      // Zones are listed in name order from the one asked for; those named exactly so come first.
      List<Zone> named =
          aws
              .route53()
              .listHostedZonesByName(r -> r.dnsName(c + ".").maxItems("100"))
              .hostedZones()
              .stream()
              .filter(
                  z -> !Boolean.TRUE.equals(z.config() == null ? null : z.config().privateZone()))
              .filter(z -> bare(z.name()).equals(c))
              .map(z -> new Zone(DomainSetting.zoneId(z.id()), c))
              .toList();
      if (named.size() > 1) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "There are "
                + named.size()
                + " public hosted zones named "
                + c
                + " ("
                + String.join(", ", named.stream().map(Zone::id).toList())
                + "); choose the one the domain is delegated to with --hosted-zone-id.");
      }
      if (named.size() == 1) {
        return named.get(0);
      }
    }
    throw new AwsException(
        AwsException.Kind.NOT_FOUND,
        "No public Route 53 hosted zone owns "
            + domain
            + " (looked for "
            + String.join(", ", tried)
            + "): create one for the domain you own (aws route53 create-hosted-zone --name "
            + tried.get(tried.size() - 1)
            + " --caller-reference novaproxy-1) and point the registrar at its name servers, or"
            + " pass --hosted-zone-id.");
  }

  private Zone chosen(String domain, String id) {
    GetHostedZoneResponse z;
    try {
      z = aws.route53().getHostedZone(r -> r.id(id));
    } catch (NoSuchHostedZoneException e) {
      throw new AwsException(
          AwsException.Kind.NOT_FOUND,
          "There is no hosted zone "
              + id
              + " (--hosted-zone-id); list yours with 'aws route53 list-hosted-zones'.");
    }
    String name = bare(z.hostedZone().name());
    if (z.hostedZone().config() != null
        && Boolean.TRUE.equals(z.hostedZone().config().privateZone())) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The hosted zone "
              + id
              + " ("
              + name
              + ") is private: ACM and the internet cannot see its records; choose a public zone"
              + " with --hosted-zone-id.");
    }
    if (!within(domain, name)) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The hosted zone "
              + id
              + " is for "
              + name
              + ", which does not hold "
              + domain
              + "; choose the zone for "
              + domain
              + " or a parent of it with --hosted-zone-id.");
    }
    return new Zone(id, name);
  }

  /** Whether {@code domain} is {@code zone} or under it. */
  static boolean within(String domain, String zone) {
    return domain.equals(zone) || domain.endsWith("." + zone);
  }

  /** Every record set in the zone with exactly this name (any type). */
  public List<ResourceRecordSet> records(String zoneId, String name) {
    String fqdn = bare(name) + ".";
    return aws
        .route53()
        .listResourceRecordSets(r -> r.hostedZoneId(zoneId).startRecordName(fqdn).maxItems("100"))
        .resourceRecordSets()
        .stream()
        .filter(s -> fqdn.equalsIgnoreCase(bare(s.name()) + "."))
        .toList();
  }

  /** Creates or replaces the record sets, in one change batch. */
  public void upsert(String zoneId, List<ResourceRecordSet> sets) {
    change(zoneId, ChangeAction.UPSERT, sets);
  }

  /**
   * Deletes the record sets as they were read (Route 53 wants every value of a set to delete it);
   * false when one was already gone.
   */
  public boolean delete(String zoneId, List<ResourceRecordSet> sets) {
    if (sets.isEmpty()) {
      return false;
    }
    // moto 5.2.1 lists alias records with "TTL": 0, which an alias record cannot carry.
    List<ResourceRecordSet> exact =
        sets.stream()
            .map(s -> s.aliasTarget() == null ? s : s.toBuilder().ttl(null).build())
            .toList();
    try {
      change(zoneId, ChangeAction.DELETE, exact);
      return true;
    } catch (InvalidChangeBatchException | NoSuchHostedZoneException gone) {
      return false;
    }
  }

  private void change(String zoneId, ChangeAction action, List<ResourceRecordSet> sets) {
    List<Change> changes =
        sets.stream()
            .map(s -> Change.builder().action(action).resourceRecordSet(s).build())
            .toList();
    aws.route53()
        .changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(changes)));
  }

  /** The certificate's validation record. */
  public static ResourceRecordSet cname(String name, String value) {
    return ResourceRecordSet.builder()
        .name(name)
        .type(RRType.CNAME)
        .ttl(VALIDATION_TTL)
        .resourceRecords(ResourceRecord.builder().value(value).build())
        .build();
  }

  /** An alias record ({@code A} or {@code AAAA}) to the custom domain's target. */
  public static ResourceRecordSet alias(String name, RRType type, CustomDomain.Target target) {
    return ResourceRecordSet.builder()
        .name(name)
        .type(type)
        .aliasTarget(
            AliasTarget.builder()
                .dnsName(target.dnsName())
                .hostedZoneId(target.hostedZoneId())
                .evaluateTargetHealth(false)
                .build())
        .build();
  }

  /** Whether a record set is an alias to this target (Route 53 adds a trailing dot, any case). */
  public static boolean aliases(ResourceRecordSet set, CustomDomain.Target target) {
    AliasTarget a = set.aliasTarget();
    return a != null
        && bare(a.dnsName()).equalsIgnoreCase(bare(target.dnsName()))
        && target.hostedZoneId().equals(a.hostedZoneId());
  }

  /** A name without its trailing dot, lower case. */
  static String bare(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
