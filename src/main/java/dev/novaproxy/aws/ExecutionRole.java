package dev.novaproxy.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * The function's execution role: Lambda may assume it, and its one inline policy allows reading the
 * one secret, writing the function's own logs and (with client keys) reading keys and counting
 * usage in the deployment's keys table, nothing else.
 */
public final class ExecutionRole {
  /** The role deploy wants. */
  public record Desired(
      String name,
      String arn,
      String trustPolicy,
      String policyName,
      String policy,
      Map<String, String> tags) {}

  /** The role as IAM holds it; {@code policy} is null when the inline policy is missing. */
  public record Current(
      String arn, String trustPolicy, String policy, Map<String, String> tags, Instant created) {}

  private final AwsClients aws;

  public ExecutionRole(AwsClients aws) {
    this.aws = aws;
  }

  /**
   * The item actions the function needs on the keys table: GetItem (a key by its hash, a counter)
   * and UpdateItem (a counter's ADD, alone or as an Update inside TransactWriteItems, which IAM
   * authorizes item by item as the underlying UpdateItem). No Scan, PutItem or DeleteItem: keys are
   * made, listed and revoked by the CLI with the deployer's own credentials.
   */
  static final List<String> TABLE_ACTIONS = List.of("dynamodb:GetItem", "dynamodb:UpdateItem");

  /** The role for a deployment without a keys table. */
  public static Desired desired(ResourceNames names, Account account, String secretArn) {
    return desired(names, account, secretArn, null);
  }

  /**
   * @param tableArn the keys table the function may use, or null for none
   */
  public static Desired desired(
      ResourceNames names, Account account, String secretArn, String tableArn) {
    return new Desired(
        names.role(),
        account.roleArn(names.role()),
        trustPolicy(),
        names.rolePolicy(),
        accessPolicy(names, account, secretArn, tableArn),
        names.tags());
  }

  static String trustPolicy() {
    ObjectNode doc = PolicyDocuments.JSON.createObjectNode().put("Version", "2012-10-17");
    ObjectNode s = doc.putArray("Statement").addObject().put("Effect", "Allow");
    s.putObject("Principal").put("Service", "lambda.amazonaws.com");
    s.put("Action", "sts:AssumeRole");
    return doc.toString();
  }

  /**
   * GetSecretValue on the exact secret ARN; the log actions on the function's own log group. The
   * write grant is {@code log-group:NAME:*}, the form AWS documents for a function's logs: IAM
   * checks CreateLogStream against the group and PutLogEvents against the stream (whose name Lambda
   * chooses), and this one pattern covers both, for this group only (the ':' after the name keeps a
   * group whose name merely starts with it out).
   */
  static String accessPolicy(
      ResourceNames names, Account account, String secretArn, String tableArn) {
    String group = account.logGroupArn(names.logGroup());
    ObjectNode doc = PolicyDocuments.JSON.createObjectNode().put("Version", "2012-10-17");
    ArrayNode statements = doc.putArray("Statement");
    statements
        .addObject()
        .put("Sid", "ReadTheNovaKey")
        .put("Effect", "Allow")
        .put("Action", "secretsmanager:GetSecretValue")
        .put("Resource", secretArn);
    statements
        .addObject()
        .put("Sid", "CreateOwnLogGroup")
        .put("Effect", "Allow")
        .put("Action", "logs:CreateLogGroup")
        .put("Resource", group);
    ObjectNode write = statements.addObject().put("Sid", "WriteOwnLogs").put("Effect", "Allow");
    write.putArray("Action").add("logs:CreateLogStream").add("logs:PutLogEvents");
    write.put("Resource", group + ":*");
    if (tableArn != null) {
      ObjectNode keys = statements.addObject().put("Sid", "CheckClientKeysAndCountUsage");
      keys.put("Effect", "Allow");
      TABLE_ACTIONS.forEach(keys.putArray("Action")::add);
      keys.put("Resource", tableArn);
    }
    return doc.toString();
  }

  public Optional<Current> read(String roleName, String policyName) {
    Role role;
    try {
      role = aws.iam().getRole(r -> r.roleName(roleName)).role();
    } catch (NoSuchEntityException e) {
      return Optional.empty();
    }
    String policy;
    try {
      policy =
          aws.iam()
              .getRolePolicy(r -> r.roleName(roleName).policyName(policyName))
              .policyDocument();
    } catch (NoSuchEntityException e) {
      policy = null;
    }
    Map<String, String> tags =
        role.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
    return Optional.of(
        new Current(role.arn(), role.assumeRolePolicyDocument(), policy, tags, role.createDate()));
  }

  public PlanStep plan(Desired want, Optional<Current> have, ResourceNames names) {
    if (have.isEmpty()) {
      return PlanStep.create("role", want.name());
    }
    Current c = have.get();
    if (!names.owns(c.tags())) {
      throw notOurs("An IAM role named " + want.name(), names);
    }
    List<String> changes = new ArrayList<>();
    if (!PolicyDocuments.same(want.trustPolicy(), c.trustPolicy())) {
      changes.add("trust policy");
    }
    if (!PolicyDocuments.same(want.policy(), c.policy())) {
      changes.add(c.policy() == null ? "access policy missing" : "access policy");
    }
    return PlanStep.updateIf("role", want.name(), changes);
  }

  /** Creates or updates the role as planned; returns its ARN. */
  public String apply(Desired want, Optional<Current> have) {
    if (have.isEmpty()) {
      List<Tag> tags =
          want.tags().entrySet().stream()
              .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
              .toList();
      aws.iam()
          .createRole(
              r ->
                  r.roleName(want.name())
                      .assumeRolePolicyDocument(want.trustPolicy())
                      .description("Runs the novaproxy function")
                      .tags(tags));
      putPolicy(want);
      return want.arn();
    }
    Current c = have.get();
    if (!PolicyDocuments.same(want.trustPolicy(), c.trustPolicy())) {
      aws.iam()
          .updateAssumeRolePolicy(r -> r.roleName(want.name()).policyDocument(want.trustPolicy()));
    }
    if (!PolicyDocuments.same(want.policy(), c.policy())) {
      putPolicy(want);
    }
    return c.arn();
  }

  private void putPolicy(Desired want) {
    aws.iam()
        .putRolePolicy(
            r ->
                r.roleName(want.name())
                    .policyName(want.policyName())
                    .policyDocument(want.policy()));
  }

  /** Deletes the inline and attached policies, then the role. False when there was no role. */
  public boolean delete(String roleName) {
    try {
      for (String p : aws.iam().listRolePolicies(r -> r.roleName(roleName)).policyNames()) {
        aws.iam().deleteRolePolicy(r -> r.roleName(roleName).policyName(p));
      }
      for (var p :
          aws.iam().listAttachedRolePolicies(r -> r.roleName(roleName)).attachedPolicies()) {
        aws.iam().detachRolePolicy(r -> r.roleName(roleName).policyArn(p.policyArn()));
      }
      aws.iam().deleteRole(r -> r.roleName(roleName));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  static AwsException notOurs(String what, ResourceNames names) {
    return new AwsException(
        AwsException.Kind.FAILED,
        what
            + " exists but is not tagged "
            + ResourceNames.TAG
            + "="
            + names.name()
            + ", so novaproxy will not change it; choose another --name or remove it.");
  }
}
