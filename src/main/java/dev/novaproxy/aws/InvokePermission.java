package dev.novaproxy.aws;

import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The resource-based permission that lets API Gateway invoke the alias, limited by its source ARN
 * to this one API.
 */
public final class InvokePermission {
  private final AwsClients aws;

  public InvokePermission(AwsClients aws) {
    this.aws = aws;
  }

  /** The source ARN of this deployment's statement on the alias, or empty when there is none. */
  public Optional<String> read(String function, String statementId) {
    return read(AliasPolicy.read(aws, function), statementId);
  }

  static Optional<String> read(AliasPolicy policy, String statementId) {
    return policy
        .statement(statementId)
        .map(s -> s.path("Condition").path("ArnLike").path("AWS:SourceArn").asText(""));
  }

  /** {@code sourceArn} is null when the API does not exist yet. */
  public PlanStep plan(
      String function, String statementId, String sourceArn, Optional<String> have) {
    String name = function + ":" + ResourceNames.ALIAS + " " + statementId;
    if (have.isEmpty()) {
      return PlanStep.create("permission", name);
    }
    if (sourceArn == null) {
      // The API is new, so no existing statement can name it.
      return new PlanStep(
          "permission",
          name,
          Action.UPDATE,
          java.util.List.of("source ARN " + have.get() + " -> the new API"));
    }
    return have.get().equals(sourceArn)
        ? PlanStep.unchanged("permission", name)
        : new PlanStep(
            "permission",
            name,
            Action.UPDATE,
            java.util.List.of("source ARN " + have.get() + " -> " + sourceArn));
  }

  public void apply(String function, String statementId, String sourceArn, Optional<String> have) {
    if (have.isPresent()) {
      if (have.get().equals(sourceArn)) {
        return;
      }
      try {
        aws.lambda()
            .removePermission(
                r ->
                    r.functionName(function)
                        .qualifier(ResourceNames.ALIAS)
                        .statementId(statementId));
      } catch (ResourceNotFoundException gone) {
        // already removed: adding it again is all that is left
      }
    }
    aws.lambda()
        .addPermission(
            r ->
                r.functionName(function)
                    .qualifier(ResourceNames.ALIAS)
                    .statementId(statementId)
                    .action("lambda:InvokeFunction")
                    .principal("apigateway.amazonaws.com")
                    .sourceArn(sourceArn));
  }
}
