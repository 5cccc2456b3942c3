package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sns.model.Tag;

/**
 * The SNS topic the deployment's alarms notify, with an e-mail subscription. The address deploy was
 * given is kept as a tag on the topic, so a later deploy reads it back whether or not the owner has
 * confirmed the subscription yet; subscriptions the owner adds by hand (another address, a chat
 * hook) are left alone.
 */
public final class AlertTopic {
  public static final String RESOURCE = "topic";
  public static final String EMAIL_TAG = "novaproxy:alarm-email";

  /** SNS's subscription ARN for one the recipient has not yet confirmed. */
  static final String PENDING = "PendingConfirmation";

  /** The topic as SNS holds it. */
  public record Current(String arn, Map<String, String> tags, List<Subscription> subscriptions) {
    /** The address deploy subscribed, from the tag. */
    public String email() {
      return tags.get(EMAIL_TAG);
    }

    Optional<Subscription> emailSubscription(String address) {
      return subscriptions.stream()
          .filter(s -> "email".equals(s.protocol()) && address.equalsIgnoreCase(s.endpoint()))
          .findFirst();
    }

    /** "confirmed", "pending confirmation" or "not subscribed", for status. */
    public String emailState() {
      String e = email();
      if (e == null) {
        return "no address";
      }
      return emailSubscription(e)
          .map(s -> PENDING.equals(s.subscriptionArn()) ? "pending confirmation" : "confirmed")
          .orElse("not subscribed");
    }
  }

  private final AwsClients aws;

  public AlertTopic(AwsClients aws) {
    this.aws = aws;
  }

  public static String arn(Account account, ResourceNames names) {
    return "arn:"
        + account.partition()
        + ":sns:"
        + account.region()
        + ":"
        + account.id()
        + ":"
        + names.alarmTopic();
  }

  /** The topic with its tags and subscriptions, or empty when there is none. */
  public Optional<Current> read(Account account, ResourceNames names) {
    String arn = arn(account, names);
    try {
      aws.sns().getTopicAttributes(r -> r.topicArn(arn));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    Map<String, String> tags = new HashMap<>();
    aws.sns()
        .listTagsForResource(r -> r.resourceArn(arn))
        .tags()
        .forEach(t -> tags.put(t.key(), t.value()));
    List<Subscription> subscriptions = new ArrayList<>();
    String next = null;
    do {
      String token = next;
      var page = aws.sns().listSubscriptionsByTopic(r -> r.topicArn(arn).nextToken(token));
      subscriptions.addAll(page.subscriptions());
      next = page.nextToken();
    } while (next != null);
    return Optional.of(new Current(arn, tags, subscriptions));
  }

  /**
   * The step for the topic, or empty when there is none and none is wanted.
   *
   * @param email the address to notify; null: no topic
   * @throws AwsException when a topic of that name is not this deployment's
   */
  public Optional<PlanStep> plan(String email, Optional<Current> have, ResourceNames names) {
    String name = names.alarmTopic();
    if (have.isEmpty()) {
      return email == null
          ? Optional.empty()
          : Optional.of(
              PlanStep.create(
                  RESOURCE,
                  name + " (e-mail to " + email + ", who must confirm the mail AWS sends)"));
    }
    Current c = have.get();
    if (!names.owns(c.tags())) {
      if (email == null) {
        return Optional.empty();
      }
      throw ExecutionRole.notOurs("An SNS topic named " + name, names);
    }
    if (email == null) {
      return Optional.of(
          new PlanStep(RESOURCE, name + " (with its subscriptions)", Action.DELETE, List.of()));
    }
    List<String> changes = new ArrayList<>();
    if (!email.equals(c.email())) {
      changes.add("e-mail " + (c.email() == null ? "none" : c.email()) + " -> " + email);
    }
    if (c.emailSubscription(email).isEmpty()) {
      changes.add("subscribe " + email + " (AWS mails a confirmation)");
    }
    return Optional.of(PlanStep.updateIf(RESOURCE, name, changes));
  }

  /**
   * Creates or mends the topic as planned, or deletes it when no address is wanted; returns its ARN
   * (null when deleted).
   */
  public String apply(String email, Optional<Current> have, ResourceNames names) {
    if (email == null) {
      have.ifPresent(c -> aws.sns().deleteTopic(r -> r.topicArn(c.arn())));
      return null;
    }
    String arn;
    if (have.isEmpty()) {
      List<Tag> tags = new ArrayList<>();
      names.tags().forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));
      tags.add(Tag.builder().key(EMAIL_TAG).value(email).build());
      arn = aws.sns().createTopic(r -> r.name(names.alarmTopic()).tags(tags)).topicArn();
    } else {
      arn = have.get().arn();
      if (!email.equals(have.get().email())) {
        aws.sns()
            .tagResource(
                r -> r.resourceArn(arn).tags(Tag.builder().key(EMAIL_TAG).value(email).build()));
      }
    }
    Current now = have.orElse(new Current(arn, Map.of(), List.of()));
    if (now.emailSubscription(email).isEmpty()) {
      aws.sns()
          .subscribe(
              r -> r.topicArn(arn).protocol("email").endpoint(email).returnSubscriptionArn(true));
    }
    // The address deploy subscribed before, when it changed. One still unconfirmed has no ARN
    // to unsubscribe; SNS drops it by itself when it stays unconfirmed.
    String old = now.email();
    if (old != null && !old.equalsIgnoreCase(email)) {
      now.emailSubscription(old)
          .filter(s -> !PENDING.equals(s.subscriptionArn()))
          .ifPresent(s -> aws.sns().unsubscribe(r -> r.subscriptionArn(s.subscriptionArn())));
    }
    return arn;
  }

  /**
   * Deletes the topic and its subscriptions; false when there was none.
   *
   * @throws AwsException when a topic of that name is not this deployment's
   */
  public boolean delete(Account account, ResourceNames names) {
    Optional<Current> have = read(account, names);
    if (have.isEmpty()) {
      return false;
    }
    if (!names.owns(have.get().tags())) {
      throw ExecutionRole.notOurs("An SNS topic named " + names.alarmTopic(), names);
    }
    aws.sns().deleteTopic(r -> r.topicArn(have.get().arn()));
    return true;
  }
}
