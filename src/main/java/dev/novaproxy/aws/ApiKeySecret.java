package dev.novaproxy.aws;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** The Nova API key in Secrets Manager: the only place the key is ever written. */
public final class ApiKeySecret {
  /** What is known about the secret without reading its value. */
  public record Info(
      String arn,
      String name,
      Instant lastChanged,
      Map<String, String> tags,
      boolean pendingDeletion) {}

  /** The outcome of {@link #store}. */
  public record Stored(String arn, String name, boolean created) {}

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
      return Optional.of(new Info(d.arn(), d.name(), changed, tags, d.deletedDate() != null));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates the secret with the key, or puts the key as its new value when it exists (restoring it
   * first if a destroy had scheduled it for deletion). Tags it as this deployment's either way.
   */
  public Stored store(String secretName, String apiKey, ResourceNames names) {
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
                      .tags(tags(names))
                      .build());
      return new Stored(created.arn(), created.name(), true);
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
    if (info.pendingDeletion()) {
      aws.secrets().restoreSecret(r -> r.secretId(info.arn()));
    }
    aws.secrets().putSecretValue(r -> r.secretId(info.arn()).secretString(apiKey));
    if (!names.owns(info.tags())) {
      aws.secrets().tagResource(r -> r.secretId(info.arn()).tags(tags(names)));
    }
    return new Stored(info.arn(), info.name(), false);
  }

  /**
   * Schedules the secret for deletion with the shortest recovery window (7 days), and only when it
   * is tagged as this deployment's: a secret shared with other applications (the default name is
   * the seed tutorial's) is never deleted by accident, and a mistaken delete can be undone with
   * {@code setup} (which restores it) or {@code aws secretsmanager restore-secret}.
   */
  public boolean delete(String secretName, ResourceNames names) {
    Optional<Info> existing = find(secretName);
    if (existing.isEmpty() || existing.get().pendingDeletion()) {
      return false;
    }
    if (!names.owns(existing.get().tags())) {
      throw ExecutionRole.notOurs("The secret " + secretName, names);
    }
    aws.secrets().deleteSecret(r -> r.secretId(existing.get().arn()).recoveryWindowInDays(7L));
    return true;
  }

  private static java.util.List<Tag> tags(ResourceNames names) {
    return names.tags().entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
  }
}
