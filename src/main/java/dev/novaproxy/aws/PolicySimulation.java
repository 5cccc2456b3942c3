package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;

/**
 * IAM's policy simulator (iam:SimulatePrincipalPolicy): what a principal's identity policies allow,
 * without doing anything. It does not see resource policies or conditions' request context, so an
 * "allowed" here can still be denied by an organisation's SCP or a condition, and the other way.
 */
public final class PolicySimulation {
  /** One action on one resource, and IAM's verdict ({@code allowed}, {@code implicitDeny}, ...). */
  public record Decision(String action, String resource, String decision) {
    public boolean allowed() {
      return PolicyEvaluationDecisionType.ALLOWED.toString().equals(decision);
    }
  }

  private final AwsClients aws;

  public PolicySimulation(AwsClients aws) {
    this.aws = aws;
  }

  /** The principal simulated (its ARN as IAM knows it) and the decisions. */
  public record Outcome(String principalArn, List<Decision> decisions) {}

  /**
   * As {@link #simulate}, and for a role IAM does not know by {@code principalArn} once more with
   * the ARN iam:GetRole gives: a session's ARN drops the role's path (IAM Identity Center's roles
   * live under /aws-reserved/sso.amazonaws.com/). Throws the first failure when that does not help.
   */
  public Outcome simulateFindingPath(String principalArn, List<DeployerPermissions.Grant> grants) {
    try {
      return new Outcome(principalArn, simulate(principalArn, grants));
    } catch (NoSuchEntityException unknown) {
      int slash = principalArn.indexOf(":role/");
      if (slash < 0) {
        throw unknown;
      }
      String name = principalArn.substring(principalArn.lastIndexOf('/') + 1);
      String withPath;
      try {
        withPath = aws.iam().getRole(r -> r.roleName(name)).role().arn();
      } catch (RuntimeException notAllowed) {
        unknown.addSuppressed(notAllowed);
        throw unknown;
      }
      if (withPath.equals(principalArn)) {
        throw unknown;
      }
      return new Outcome(withPath, simulate(withPath, grants));
    }
  }

  /** One simulation per resource; throws the SDK's exception when the simulator refuses. */
  public List<Decision> simulate(String principalArn, List<DeployerPermissions.Grant> grants) {
    List<Decision> out = new ArrayList<>();
    for (DeployerPermissions.Grant g : grants) {
      for (EvaluationResult r :
          aws.iam()
              .simulatePrincipalPolicyPaginator(
                  s ->
                      s.policySourceArn(principalArn)
                          .actionNames(g.actions())
                          .resourceArns(g.resource()))
              .evaluationResults()) {
        out.add(new Decision(r.evalActionName(), g.resource(), r.evalDecisionAsString()));
      }
    }
    return out;
  }
}
