package dev.novaproxy.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.CallerIdentity;
import dev.novaproxy.aws.DeployerPermissions;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The permissions check against a loopback stand-in for STS and IAM, because moto 5.2.1 has no
 * SimulatePrincipalPolicy. The stand-in speaks the query protocol as the IAM API Reference
 * documents it (SimulatePrincipalPolicy: form parameters {@code PolicySourceArn}, {@code
 * ActionNames.member.N}, {@code ResourceArns.member.N}; the {@code SimulatePrincipalPolicyResult}
 * XML with {@code EvaluationResults/member/EvalActionName, EvalResourceName, EvalDecision}; the
 * {@code ErrorResponse} XML with HTTP 403 {@code AccessDenied}) and STS's GetCallerIdentity result.
 */
class PermissionsCheckTest {
  private static final String ACCOUNT = "123456789012";
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/Deployer";

  private HttpServer server;
  private AwsClients aws;
  private volatile String callerArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/Deployer/alice";
  private volatile Set<String> denied = Set.of();
  private volatile boolean mayNotSimulate;

  /** The role's ARN as IAM knows it, when it has a path (null: the session's role ARN works). */
  private volatile String roleWithPath;

  private volatile boolean mayGetRole = true;
  private final List<Map<String, String>> simulations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    MotoServer.useFakeCredentials();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
    aws =
        new AwsClients(
            new AwsLocation(
                "us-east-1",
                null,
                URI.create("http://127.0.0.1:" + server.getAddress().getPort())));
  }

  @AfterEach
  void stop() {
    aws.close();
    server.stop(0);
  }

  private void answer(HttpExchange ex) throws IOException {
    Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), UTF8));
    String action = form.get("Action");
    if ("GetCallerIdentity".equals(action)) {
      reply(
          ex,
          200,
          "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<GetCallerIdentityResult><Arn>"
              + callerArn
              + "</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>"
              + ACCOUNT
              + "</Account></GetCallerIdentityResult>"
              + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
      return;
    }
    if ("GetRole".equals(action)) {
      if (!mayGetRole || roleWithPath == null) {
        reply(ex, 403, error("AccessDenied", "not authorized to perform: iam:GetRole"));
        return;
      }
      reply(
          ex,
          200,
          "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role>"
              + "<Path>/aws-reserved/sso.amazonaws.com/</Path><Arn>"
              + roleWithPath
              + "</Arn><RoleName>"
              + form.get("RoleName")
              + "</RoleName><RoleId>AROAEXAMPLE</RoleId><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
              + "<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult>"
              + "<ResponseMetadata><RequestId>4</RequestId></ResponseMetadata></GetRoleResponse>");
      return;
    }
    if (!"SimulatePrincipalPolicy".equals(action)) {
      reply(ex, 400, error("InvalidAction", "not in this stand-in: " + action));
      return;
    }
    simulations.add(form);
    if (roleWithPath != null && !roleWithPath.equals(form.get("PolicySourceArn"))) {
      reply(
          ex,
          404,
          error(
              "NoSuchEntity",
              "The role with name " + form.get("PolicySourceArn") + " cannot be found."));
      return;
    }
    if (mayNotSimulate) {
      reply(
          ex,
          403,
          error(
              "AccessDenied",
              "User: "
                  + callerArn
                  + " is not authorized to perform: iam:SimulatePrincipalPolicy on resource: "
                  + form.get("PolicySourceArn")));
      return;
    }
    String resource = form.getOrDefault("ResourceArns.member.1", "*");
    StringBuilder members = new StringBuilder();
    for (int i = 1; form.containsKey("ActionNames.member." + i); i++) {
      String name = form.get("ActionNames.member." + i);
      members
          .append("<member><EvalActionName>")
          .append(name)
          .append("</EvalActionName><EvalResourceName>")
          .append(resource)
          .append("</EvalResourceName><EvalDecision>")
          .append(denied.contains(name) ? "implicitDeny" : "allowed")
          .append("</EvalDecision><MatchedStatements/><MissingContextValues/></member>");
    }
    reply(
        ex,
        200,
        "<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            + "<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>"
            + members
            + "</EvaluationResults></SimulatePrincipalPolicyResult>"
            + "<ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>");
  }

  private static String error(String code, String message) {
    return "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message></Error><RequestId>3</RequestId></ErrorResponse>";
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), UTF8),
            URLDecoder.decode(pair.substring(eq + 1), UTF8));
      }
    }
    return out;
  }

  private static void reply(HttpExchange ex, int status, String xml) throws IOException {
    byte[] bytes = xml.getBytes(UTF8);
    ex.getResponseHeaders().set("Content-Type", "text/xml");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private Finding check() {
    CallerIdentity who = CallerIdentity.of(aws);
    return new PermissionsCheck()
        .run(
            aws,
            new Problem(Throwable::getMessage),
            who,
            new ResourceNames("novaproxy"),
            "backend/NovaApiKey",
            null);
  }

  private static int allActions() {
    return grants().stream().mapToInt(g -> g.actions().size()).sum();
  }

  private static List<DeployerPermissions.Grant> grants() {
    return DeployerPermissions.of(
        new dev.novaproxy.aws.Account(ACCOUNT, "aws", "us-east-1"),
        new ResourceNames("novaproxy"),
        "backend/NovaApiKey",
        null);
  }

  @Test
  void should_pass_when_every_action_is_allowed_for_the_role_behind_the_session() {
    Finding f = check();
    assertThat(f.status()).as("%s", f).isEqualTo(Finding.Status.OK);
    assertThat(f.message())
        .isEqualTo(
            "the "
                + allActions()
                + " actions novaproxy calls are allowed for "
                + ROLE
                + " (IAM policy simulator)");
    // The simulator was asked about the role, not the session, once per resource.
    assertThat(simulations)
        .hasSize(grants().size())
        .allMatch(s -> ROLE.equals(s.get("PolicySourceArn")));
    List<String> resources = new ArrayList<>();
    List<String> actions = new ArrayList<>();
    for (Map<String, String> s : simulations) {
      resources.add(s.get("ResourceArns.member.1"));
      s.forEach(
          (k, v) -> {
            if (k.startsWith("ActionNames.member.")) {
              actions.add(v);
            }
          });
    }
    assertThat(resources)
        .containsExactly(
            "*",
            "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:backend/NovaApiKey-*",
            "arn:aws:iam::" + ACCOUNT + ":role/novaproxy-proxy-role",
            "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:novaproxy-proxy",
            "arn:aws:apigateway:us-east-1::/apis",
            "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/novaproxy-keys",
            "arn:aws:logs:us-east-1:" + ACCOUNT + ":log-group:/aws/lambda/novaproxy-proxy",
            "arn:aws:sns:us-east-1:" + ACCOUNT + ":novaproxy-alarms",
            "*",
            "arn:aws:cloudwatch:us-east-1:" + ACCOUNT + ":alarm:novaproxy-proxy-*",
            "*",
            "*");
    assertThat(actions)
        .hasSize(allActions())
        .contains("iam:PassRole", "lambda:CreateFunction", "apigateway:PATCH", "dynamodb:Scan");
  }

  @Test
  void should_fail_naming_the_actions_that_are_not_allowed() {
    denied = Set.of("iam:PassRole", "lambda:CreateFunction");
    Finding f = check();
    assertThat(f.status()).isEqualTo(Finding.Status.FAIL);
    assertThat(f.message())
        .isEqualTo(
            "2 of "
                + allActions()
                + " actions are not allowed for "
                + ROLE
                + ": iam:PassRole, lambda:CreateFunction");
    assertThat(f.fix()).isEqualTo(PermissionsCheck.GRANT);
  }

  @Test
  void should_show_the_first_eight_of_many() {
    denied =
        Set.of(
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:CreateFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:PublishVersion",
            "lambda:GetAlias",
            "lambda:CreateAlias",
            "lambda:UpdateAlias",
            "lambda:DeleteAlias");
    Finding f = check();
    assertThat(f.message()).startsWith("10 of ").endsWith("lambda:CreateAlias and 2 more");
  }

  @Test
  void should_warn_that_it_could_not_check_when_simulation_is_denied() {
    mayNotSimulate = true;
    Finding f = check();
    assertThat(f.status()).isEqualTo(Finding.Status.WARN);
    assertThat(f.message())
        .isEqualTo("could not check: iam:SimulatePrincipalPolicy is not allowed for you");
    assertThat(f.fix()).startsWith("allow iam:SimulatePrincipalPolicy on your own identity");
  }

  @Test
  void should_find_the_path_of_a_role_that_the_session_arn_leaves_out() {
    String sso = "AWSReservedSSO_Admin_0123abcd";
    callerArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + sso + "/alice";
    roleWithPath = "arn:aws:iam::" + ACCOUNT + ":role/aws-reserved/sso.amazonaws.com/" + sso;
    Finding f = check();
    assertThat(f.status()).as("%s", f).isEqualTo(Finding.Status.OK);
    assertThat(f.message()).contains("allowed for " + roleWithPath);
    assertThat(simulations.get(0).get("PolicySourceArn"))
        .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/" + sso);
    assertThat(simulations.subList(1, simulations.size()))
        .hasSize(grants().size())
        .allMatch(s -> roleWithPath.equals(s.get("PolicySourceArn")));
  }

  @Test
  void should_warn_when_the_role_path_cannot_be_found() {
    String sso = "AWSReservedSSO_Admin_0123abcd";
    callerArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + sso + "/alice";
    roleWithPath = "arn:aws:iam::" + ACCOUNT + ":role/aws-reserved/sso.amazonaws.com/" + sso;
    mayGetRole = false;
    Finding f = check();
    assertThat(f.status()).isEqualTo(Finding.Status.WARN);
    assertThat(f.message())
        .isEqualTo(
            "could not check: IAM knows no arn:aws:iam::"
                + ACCOUNT
                + ":role/"
                + sso
                + " (a role with a path, such as an SSO role, is found with iam:GetRole on it)");
  }

  @Test
  void should_not_ask_about_the_root_user() {
    callerArn = "arn:aws:iam::" + ACCOUNT + ":root";
    Finding f = check();
    assertThat(f.status()).isEqualTo(Finding.Status.WARN);
    assertThat(f.fix()).isEqualTo("deploy with an IAM user or role, not the account's root user.");
    assertThat(simulations).isEmpty();
  }

  @Test
  void should_map_a_caller_to_the_principal_iam_knows() {
    assertThat(principal("arn:aws:sts::1:assumed-role/Deployer/alice@example.com"))
        .isEqualTo("arn:aws:iam::1:role/Deployer");
    assertThat(principal("arn:aws-cn:sts::1:assumed-role/R/s"))
        .isEqualTo("arn:aws-cn:iam::1:role/R");
    assertThat(principal("arn:aws:iam::1:user/ops/bob")).isEqualTo("arn:aws:iam::1:user/ops/bob");
    assertThat(principal("arn:aws:sts::1:user/moto")).isEqualTo("arn:aws:iam::1:user/moto");
    assertThat(principal("arn:aws:iam::1:root")).isNull();
    assertThat(principal("arn:aws:sts::1:federated-user/bob")).isNull();
  }

  private static String principal(String arn) {
    return new CallerIdentity(arn, "1", null).principalArn().orElse(null);
  }
}
