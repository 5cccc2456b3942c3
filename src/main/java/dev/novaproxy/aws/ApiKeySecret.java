package dev.novaproxy.aws;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * The Nova API key in Secrets Manager: the only place the key is ever written. A secret setup
 * created carries {@link ResourceNames#TAG}; one that existed before (the seed tutorial's default
 * name is shared with other applications) is written only when adopted, and then carries {@link
 * #ADOPTED_TAG} instead, so that destroy never deletes it.
 */
public final class ApiKeySecret {
  /** Marks a secret novaproxy writes to but did not create. */
  public static final String ADOPTED_TAG = "novaproxy:adopted";

  /** Secrets Manager's shortest recovery window, in days. */
  public static final long RECOVERY_DAYS = 7;

  /**
   * What is known about the secret without reading its value.
   *
   * @param deletionDate when Secrets Manager deletes it, if scheduled for deletion; else null
   */
  public record Info(
      String arn,
      String name,
      Instant lastChanged,
      Map<String, String> tags,
      Instant deletionDate) {
    public boolean pendingDeletion() {
      return deletionDate != null;
    }

    public boolean adopted() {
      return "true".equals(tags.get(ADOPTED_TAG));
    }
  }

  /**
   * The outcome of {@link #store}.
   *
   * @param adopted the secret was not created by novaproxy and is marked adopted
   * @param restored it was scheduled for deletion and is restored
   */
  public record Stored(
      String arn, String name, boolean created, boolean adopted, boolean restored) {}

  /** The outcome of {@link #delete}. */
  public record Deletion(Outcome outcome, Instant deletionDate, String owner) {
    public enum Outcome {
      /** Scheduled for deletion now, on {@code deletionDate}. */
      SCHEDULED,
      /** An earlier destroy scheduled it, for {@code deletionDate}. */
      ALREADY_SCHEDULED,
      NOT_FOUND,
      /** Kept: setup --adopt wrote to it, but novaproxy did not create it. */
      KEPT_ADOPTED,
      /** Kept: not created by this deployment ({@code owner}: the deployment that did, or null). */
      KEPT_NOT_OURS
    }
  }

  private final AwsClients aws;

  public ApiKeySecret(AwsClients aws) {
    this.aws = aws;
  }

  public Optional<Info> find(String secretName) {
    try {
      DescribeSecretResponse d = aws.secrets().describeSecret(r -> r.secretId(secretName));
      Instant changed = d.lastChangedDate() != null ? d.lastChangedDate() : d.createdDate();
      Map<String, String> tags =
          d.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
      return Optional.of(new Info(d.arn(), d.name(), changed, tags, d.deletedDate()));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  /** As {@link #store(String, String, ResourceNames, boolean)} without adopting. */
  public Stored store(String secretName, String apiKey, ResourceNames names) {
    return store(secretName, apiKey, names, false);
  }

  /**
   * Creates the secret with the key, or puts the key as its new value when it exists (restoring it
   * first if a destroy had scheduled it for deletion). A new secret is tagged as this deployment's;
   * an existing one must be this deployment's or adopted, or {@code adopt} must be given (it is
   * then tagged adopted). Nothing is written when it is refused.
   */
  public Stored store(String secretName, String apiKey, ResourceNames names, boolean adopt) {
    if (apiKey == null || apiKey.isBlank()) {
      throw new AwsException(AwsException.Kind.FAILED, "The API key is empty; nothing was stored.");
    }
    Optional<Info> existing = find(secretName);
    if (existing.isEmpty()) {
      var created =
          aws.secrets()
              .createSecret(
                  CreateSecretRequest.builder()
                      .name(secretName)
                      .description(
                          "Amazon Nova API key used by the novaproxy deployment '"
                              + names.name()
                              + "'")
                      .secretString(apiKey)
                      .tags(tags(names.tags()))
                      .build());
      return new Stored(created.arn(), created.name(), true, false, false);
    }
    Info info = existing.get();
    String owner = info.tags().get(ResourceNames.TAG);
    if (owner != null && !owner.equals(names.name())) {
      // Another deployment's secret: taking it over would let that deployment's destroy, or
      // this one's, delete a key the other still uses.
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The secret "
              + secretName
              + " belongs to the novaproxy deployment '"
              + owner
              + "'; use --name "
              + owner
              + ", or --secret-name for a secret of this deployment's own.");
    }
    boolean ours = owner != null;
    if (!ours && !info.adopted() && !adopt) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "The secret "
              + secretName
              + " exists and was not created by novaproxy, so nothing was written; pass --adopt to store the key in it (destroy will never delete it), or choose another --secret-name.");
    }
    if (info.pendingDeletion()) {
      aws.secrets().restoreSecret(r -> r.secretId(info.arn()));
    }
    aws.secrets().putSecretValue(r -> r.secretId(info.arn()).secretString(apiKey));
    if (!ours && !info.adopted()) {
      aws.secrets()
          .tagResource(r -> r.secretId(info.arn()).tags(tags(Map.of(ADOPTED_TAG, "true"))));
    }
    return new Stored(info.arn(), info.name(), false, !ours, info.pendingDeletion());
  }

  /**
   * Schedules the secret for deletion with the shortest recovery window ({@value #RECOVERY_DAYS}
   * days), and only when this deployment created it: an adopted secret, or one made elsewhere, is
   * kept. A mistaken delete can be undone until the deletion date with {@code setup} (which
   * restores it) or {@code aws secretsmanager restore-secret}.
   */
  public Deletion delete(String secretName, ResourceNames names) {
    Optional<Info> existing = find(secretName);
    if (existing.isEmpty()) {
      return new Deletion(Deletion.Outcome.NOT_FOUND, null, null);
    }
    Info info = existing.get();
    if (info.adopted()) {
      return new Deletion(Deletion.Outcome.KEPT_ADOPTED, null, null);
    }
    if (!names.owns(info.tags())) {
      return new Deletion(Deletion.Outcome.KEPT_NOT_OURS, null, info.tags().get(ResourceNames.TAG));
    }
    if (info.pendingDeletion()) {
      return new Deletion(Deletion.Outcome.ALREADY_SCHEDULED, info.deletionDate(), null);
    }
    var deleted =
        aws.secrets().deleteSecret(r -> r.secretId(info.arn()).recoveryWindowInDays(RECOVERY_DAYS));
    return new Deletion(Deletion.Outcome.SCHEDULED, deleted.deletionDate(), null);
  }

  private static List<Tag> tags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
  }
}
