package dev.novaproxy.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.acm.model.CertificateDetail;
import software.amazon.awssdk.services.acm.model.CertificateStatus;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.acm.model.DomainValidation;
import software.amazon.awssdk.services.acm.model.ListCertificatesResponse;
import software.amazon.awssdk.services.acm.model.ResourceInUseException;
import software.amazon.awssdk.services.acm.model.ResourceNotFoundException;
import software.amazon.awssdk.services.acm.model.Tag;
import software.amazon.awssdk.services.acm.model.ValidationMethod;

/**
 * The custom domain's ACM certificate, validated through DNS, in the API's region. A certificate
 * deploy requested carries the deployment's tag, and, once deploy wrote its validation record, a
 * second tag naming the zone it wrote it in: destroy deletes only a tagged certificate, and its
 * record only when that second tag says deploy created it.
 */
public final class Certificate {
  /** On a certificate of ours: the zone where deploy created its validation record. */
  public static final String VALIDATION_ZONE_TAG = "novaproxy:validation-record-zone";

  /** The CNAME that proves control of the domain; ACM gives it a few seconds after the request. */
  public record ValidationRecord(String name, String value) {}

  /**
   * A certificate as ACM describes it, with its tags.
   *
   * @param record null until ACM has made it
   * @param failure why ACM failed it, when it did
   */
  public record Current(
      String arn,
      String domain,
      String status,
      Map<String, String> tags,
      ValidationRecord record,
      String failure) {
    public boolean issued() {
      return CertificateStatus.ISSUED.toString().equals(status);
    }

    public boolean ownedBy(ResourceNames names) {
      return names.owns(tags);
    }

    /** The zone where deploy created the validation record, or null when it did not. */
    public String validationZone() {
      return tags.get(VALIDATION_ZONE_TAG);
    }
  }

  private static final List<CertificateStatus> USABLE =
      List.of(CertificateStatus.ISSUED, CertificateStatus.PENDING_VALIDATION);

  private final AwsClients aws;
  private final LongSupplier nanoTime;

  public Certificate(AwsClients aws) {
    this(aws, System::nanoTime);
  }

  Certificate(AwsClients aws, LongSupplier nanoTime) {
    this.aws = aws;
    this.nanoTime = nanoTime;
  }

  /**
   * An issued or pending certificate for exactly {@code domain}: this deployment's first, then an
   * issued one, then a pending one; empty when there is none.
   */
  public Optional<Current> find(String domain, ResourceNames names) {
    List<Current> found = new ArrayList<>();
    for (CertificateSummary s : summaries(USABLE)) {
      if (domain.equals(s.domainName())) {
        found.add(describe(s.certificateArn()));
      }
    }
    return found.stream()
        .min(
            Comparator.comparing((Current c) -> !c.ownedBy(names))
                .thenComparing(c -> !c.issued())
                .thenComparing(Current::arn));
  }

  /** Every certificate tagged as this deployment's, in any state (for status and destroy). */
  public List<Current> owned(ResourceNames names) {
    List<Current> out = new ArrayList<>();
    for (CertificateSummary s : summaries(List.of())) {
      Map<String, String> tags = tags(s.certificateArn());
      if (names.owns(tags)) {
        out.add(describe(s.certificateArn()));
      }
    }
    return out;
  }

  private List<CertificateSummary> summaries(List<CertificateStatus> statuses) {
    List<CertificateSummary> all = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListCertificatesResponse page =
          aws.acm()
              .listCertificates(
                  r -> {
                    r.nextToken(t);
                    if (!statuses.isEmpty()) {
                      r.certificateStatuses(statuses);
                    }
                  });
      all.addAll(page.certificateSummaryList());
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return all;
  }

  public Current describe(String arn) {
    CertificateDetail d = aws.acm().describeCertificate(r -> r.certificateArn(arn)).certificate();
    ValidationRecord record = null;
    for (DomainValidation v : d.domainValidationOptions()) {
      if (d.domainName().equals(v.domainName()) && v.resourceRecord() != null) {
        record = new ValidationRecord(v.resourceRecord().name(), v.resourceRecord().value());
      }
    }
    return new Current(
        arn, d.domainName(), d.statusAsString(), tags(arn), record, d.failureReasonAsString());
  }

  private Map<String, String> tags(String arn) {
    return aws.acm().listTagsForCertificate(r -> r.certificateArn(arn)).tags().stream()
        .collect(Collectors.toMap(Tag::key, t -> t.value() == null ? "" : t.value(), (a, b) -> b));
  }

  /**
   * Requests a certificate for {@code domain}, validated by DNS and tagged as this deployment's. No
   * idempotency token: within its hour it would hand back a certificate destroy has deleted; a
   * re-run finds the tagged certificate instead ({@link #find}).
   */
  public String request(String domain, ResourceNames names) {
    List<Tag> tags =
        names.tags().entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    return aws.acm()
        .requestCertificate(
            r -> r.domainName(domain).validationMethod(ValidationMethod.DNS).tags(tags))
        .certificateArn();
  }

  /** Records on the certificate that deploy creates its validation record in {@code zoneId}. */
  public void claimValidationRecord(String arn, String zoneId) {
    aws.acm()
        .addTagsToCertificate(
            r ->
                r.certificateArn(arn)
                    .tags(Tag.builder().key(VALIDATION_ZONE_TAG).value(zoneId).build()));
  }

  /**
   * Waits until ACM has made the validation record of a new certificate (a few seconds on AWS).
   *
   * @throws AwsException when it has not within {@code wait}
   */
  public Current awaitRecord(String arn, Duration wait, Duration poll) {
    long deadline = nanoTime.getAsLong() + wait.toNanos();
    Current c = describe(arn);
    while (c.record() == null && nanoTime.getAsLong() < deadline) {
      sleep(poll, deadline);
      c = describe(arn);
    }
    if (c.record() == null) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "ACM has not given the validation record of the certificate "
              + arn
              + " yet; run deploy again in a minute.");
    }
    return c;
  }

  /**
   * Waits until ACM issues the certificate, one progress line per look.
   *
   * @param check what to check when it does not, for the error
   * @throws AwsException when ACM fails it, or it is still pending after {@code wait}
   */
  public Current awaitIssued(
      String arn, Duration wait, Duration poll, Progress progress, String check) {
    long start = nanoTime.getAsLong();
    long deadline = start + wait.toNanos();
    Current c = describe(arn);
    while (CertificateStatus.PENDING_VALIDATION.toString().equals(c.status())
        && nanoTime.getAsLong() < deadline) {
      progress.line(
          "  certificate "
              + c.domain()
              + ": "
              + c.status()
              + ", waiting for ACM to see the validation record ("
              + minutes(Duration.ofNanos(nanoTime.getAsLong() - start))
              + " of "
              + minutes(wait)
              + ")");
      sleep(poll, deadline);
      c = describe(arn);
    }
    if (c.issued()) {
      return c;
    }
    if (CertificateStatus.PENDING_VALIDATION.toString().equals(c.status())) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The certificate for "
              + c.domain()
              + " is still PENDING_VALIDATION after "
              + minutes(wait)
              + " ("
              + arn
              + "): "
              + check
              + " Then run the same deploy again: it resumes and waits (--domain-wait sets how"
              + " long).");
    }
    throw new AwsException(
        AwsException.Kind.FAILED,
        "ACM did not issue the certificate for "
            + c.domain()
            + ": it is "
            + c.status()
            + (c.failure() == null ? "" : " (" + c.failure() + ")")
            + ". Delete it (aws acm delete-certificate --certificate-arn "
            + arn
            + ") and deploy again to request a new one.");
  }

  /**
   * Deletes the certificate; false when it was already gone. API Gateway releases a certificate a
   * little after its domain is deleted, so "in use" is retried for up to {@code backoff}'s total.
   */
  public boolean delete(String arn, Backoff backoff) {
    long deadline = nanoTime.getAsLong() + backoff.total().toNanos();
    Duration pause = backoff.first();
    while (true) {
      try {
        aws.acm().deleteCertificate(r -> r.certificateArn(arn));
        return true;
      } catch (ResourceNotFoundException e) {
        return false;
      } catch (ResourceInUseException e) {
        if (nanoTime.getAsLong() >= deadline) {
          throw e;
        }
        sleep(pause, deadline);
        pause = backoff.after(pause);
      }
    }
  }

  private void sleep(Duration pause, long deadline) {
    long left = deadline - nanoTime.getAsLong();
    long nanos = Math.max(0, Math.min(pause.toNanos(), left));
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwsException(AwsException.Kind.FAILED, "Interrupted while waiting for ACM.", e);
    }
  }

  static String minutes(Duration d) {
    long s = d.toSeconds();
    return String.format("%d:%02d", s / 60, s % 60);
  }
}
