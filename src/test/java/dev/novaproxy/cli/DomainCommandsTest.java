package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.config.ConfigFile;
import dev.novaproxy.testing.CliRun;
import dev.novaproxy.testing.MotoServer;
import dev.novaproxy.testing.TestZip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.acm.model.Tag;
import software.amazon.awssdk.services.apigatewayv2.model.ProtocolType;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * deploy --domain, status and destroy through the command line, against moto (its ACM issues at
 * once: {@link MotoServer#ENVIRONMENT}). moto's custom domain has no target name or zone, so the
 * alias records point at the stand-in deploy uses against an emulator; moto 5.2.1 lists alias
 * records with TTL 0, so no TTL is asserted on them.
 */
@ExtendWith(MotoServer.class)
class DomainCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DOMAIN = "chat.example.com";

  @TempDir Path dir;
  private Path code;
  private AwsClients aws;
  private String zoneId;

  @BeforeEach
  void setUp() throws Exception {
    System.setProperty(ConfigFile.PATH_PROPERTY, dir.resolve("cfg/config.json").toString());
    code = TestZip.write(dir, "code v1");
    aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, MotoServer.endpoint()));
    CliRun setup = CliRun.runWithStdin("nova-key-0123456789\n", args("setup", "--api-key-stdin"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
    zoneId = zone("example.com");
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ConfigFile.PATH_PROPERTY);
    aws.close();
  }

  private String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of(extra));
    all.addAll(
        List.of("--region", MotoServer.REGION, "--endpoint-url", MotoServer.endpoint().toString()));
    return all.toArray(String[]::new);
  }

  private CliRun deploy(String... extra) {
    List<String> a =
        new ArrayList<>(List.of("deploy", "--artifact", code.toString(), "--no-snapstart"));
    a.addAll(List.of(extra));
    return CliRun.run(args(a.toArray(String[]::new)));
  }

  private String zone(String name) {
    String id =
        aws.route53()
            .createHostedZone(r -> r.name(name).callerReference("test-" + name))
            .hostedZone()
            .id();
    return id.substring(id.lastIndexOf('/') + 1);
  }

  private List<ResourceRecordSet> records(String zone) {
    return aws.route53().listResourceRecordSets(r -> r.hostedZoneId(zone)).resourceRecordSets();
  }

  private Map<String, String> recordTypes(String zone) {
    return records(zone).stream()
        .collect(
            Collectors.toMap(
                r -> r.type() + " " + r.name(),
                r -> r.name(),
                (a, b) -> a,
                java.util.TreeMap::new));
  }

  private List<CertificateSummary> certificates() {
    return aws.acm().listCertificates().certificateSummaryList();
  }

  private Map<String, String> tags(String arn) {
    return aws.acm().listTagsForCertificate(r -> r.certificateArn(arn)).tags().stream()
        .collect(Collectors.toMap(Tag::key, Tag::value));
  }

  private void upsert(String zone, ResourceRecordSet set) {
    aws.route53()
        .changeResourceRecordSets(
            r ->
                r.hostedZoneId(zone)
                    .changeBatch(
                        b -> b.changes(c -> c.action(ChangeAction.UPSERT).resourceRecordSet(set))));
  }

  private static ResourceRecordSet record(String name, RRType type, String value) {
    return ResourceRecordSet.builder()
        .name(name)
        .type(type)
        .ttl(300L)
        .resourceRecords(v -> v.value(value))
        .build();
  }

  @Test
  void should_put_the_api_on_the_domain_keep_it_and_destroy_only_what_it_made() throws Exception {
    // Someone else's: a record and a certificate in the same zone and region.
    upsert(zoneId, record("other.example.com", RRType.TXT, "\"kept\""));
    String otherCert =
        aws.acm()
            .requestCertificate(r -> r.domainName("other.example.com").validationMethod("DNS"))
            .certificateArn();

    CliRun first = deploy("--domain", DOMAIN, "-o", "json");
    assertThat(first.exitCode()).as("%s", first).isZero();
    JsonNode out = JSON.readTree(first.out());
    assertThat(out.get("domainUrl").asText()).isEqualTo("https://chat.example.com/chat");
    assertThat(out.get("settings").get("domain").asText()).isEqualTo(DOMAIN);
    String apiId = out.get("apiId").asText();

    // The certificate: requested by deploy, issued, tagged with the zone of its validation record.
    List<CertificateSummary> mine =
        certificates().stream().filter(c -> c.domainName().equals(DOMAIN)).toList();
    assertThat(mine).hasSize(1);
    String arn = mine.get(0).certificateArn();
    var detail = aws.acm().describeCertificate(r -> r.certificateArn(arn)).certificate();
    assertThat(detail.statusAsString()).isEqualTo("ISSUED");
    assertThat(tags(arn))
        .containsEntry("novaproxy:name", "novaproxy")
        .containsEntry("novaproxy:validation-record-zone", zoneId);
    var validation = detail.domainValidationOptions().get(0).resourceRecord();

    // The validation CNAME, as ACM gave it.
    ResourceRecordSet cname =
        records(zoneId).stream()
            .filter(r -> r.type() == RRType.CNAME)
            .findFirst()
            .orElseThrow(() -> new AssertionError(records(zoneId)));
    assertThat(cname.name()).isEqualTo(validation.name());
    assertThat(cname.resourceRecords().get(0).value()).isEqualTo(validation.value());
    assertThat(cname.ttl()).isEqualTo(300L);

    // The custom domain and its mapping to the API's $default stage.
    var domain = aws.apis().getDomainName(r -> r.domainName(DOMAIN));
    assertThat(domain.domainNameConfigurations().get(0).certificateArn()).isEqualTo(arn);
    assertThat(domain.domainNameConfigurations().get(0).endpointTypeAsString())
        .isEqualTo("REGIONAL");
    assertThat(domain.domainNameConfigurations().get(0).securityPolicyAsString())
        .isEqualTo("TLS_1_2");
    assertThat(domain.domainNameConfigurations().get(0).ipAddressTypeAsString())
        .isEqualTo("dualstack");
    assertThat(domain.tags()).containsEntry("novaproxy:records-zone", zoneId);
    var mappings = aws.apis().getApiMappings(r -> r.domainName(DOMAIN)).items();
    assertThat(mappings).hasSize(1);
    assertThat(mappings.get(0).apiId()).isEqualTo(apiId);
    assertThat(mappings.get(0).stage()).isEqualTo("$default");

    // The alias records A and AAAA (to the stand-in: moto gives the domain no target).
    List<ResourceRecordSet> aliases =
        records(zoneId).stream()
            .filter(r -> r.name().equals(DOMAIN + "."))
            .filter(r -> r.aliasTarget() != null)
            .toList();
    assertThat(aliases).extracting(ResourceRecordSet::type).containsOnly(RRType.A, RRType.AAAA);
    assertThat(aliases).hasSize(2);
    assertThat(aliases.get(0).aliasTarget().dnsName())
        .isEqualTo("chat.example.com.apigateway-target.invalid");
    assertThat(aliases.get(0).aliasTarget().evaluateTargetHealth()).isFalse();

    // A plain redeploy keeps the domain and changes nothing.
    CliRun again = deploy();
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.out())
        .contains("No changes (")
        .contains("Custom domain (the HTTP API, as below): https://chat.example.com/chat")
        .contains("The stream URL keeps its Lambda host");
    assertThat(again.err()).doesNotContain("created").doesNotContain("deleted");

    CliRun status = CliRun.run(args("status", "-o", "json"));
    assertThat(status.exitCode()).as("%s", status).isZero();
    JsonNode st = JSON.readTree(status.out());
    assertThat(st.get("domainUrl").asText()).isEqualTo("https://chat.example.com/chat");
    Map<String, JsonNode> rows = new java.util.HashMap<>();
    st.get("resources").forEach(n -> rows.put(n.get("kind").asText(), n));
    assertThat(rows.get("domain").get("version").asText()).isEqualTo("REGIONAL TLS_1_2");
    assertThat(rows.get("api-mapping").get("state").asText()).isEqualTo("ToThisApi");
    assertThat(rows.get("certificate").get("state").asText()).isEqualTo("ISSUED");
    assertThat(rows.get("certificate").get("version").asText()).isEqualTo("requested by deploy");
    assertThat(rows.get("dns-alias").get("state").asText()).isEqualTo("Alias A, AAAA");
    assertThat(rows.get("validation").get("state").asText()).isEqualTo("CreatedByDeploy");
    CliRun text = CliRun.run(args("status"));
    assertThat(text.out()).contains("Custom domain URL: https://chat.example.com/chat");

    CliRun destroy = CliRun.run(args("destroy", "--yes"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(destroy.err())
        .contains("dns-alias chat.example.com A, AAAA: deleted")
        .contains("domain chat.example.com: deleted")
        .contains("certificate chat.example.com (ISSUED): deleted");
    assertThat(aws.apis().getDomainNames().items()).isEmpty();
    assertThat(certificates())
        .extracting(CertificateSummary::certificateArn)
        .containsExactly(otherCert);
    assertThat(recordTypes(zoneId).keySet())
        .containsExactlyInAnyOrder("NS example.com.", "SOA example.com.", "TXT other.example.com.");
  }

  @Test
  void should_reuse_a_certificate_it_did_not_request_and_leave_it_and_its_record() {
    String theirs =
        aws.acm()
            .requestCertificate(r -> r.domainName(DOMAIN).validationMethod("DNS"))
            .certificateArn();
    var v =
        aws.acm()
            .describeCertificate(r -> r.certificateArn(theirs))
            .certificate()
            .domainValidationOptions()
            .get(0)
            .resourceRecord();
    upsert(zoneId, record(v.name(), RRType.CNAME, v.value()));

    CliRun first = deploy("--domain", DOMAIN);
    assertThat(first.exitCode()).as("%s", first).isZero();
    assertThat(first.err()).contains("certificate chat.example.com (ISSUED, reused");
    assertThat(certificates())
        .extracting(CertificateSummary::certificateArn)
        .containsExactly(theirs);
    assertThat(tags(theirs)).isEmpty();
    assertThat(aws.apis().getDomainName(r -> r.domainName(DOMAIN)).domainNameConfigurations())
        .allMatch(c -> c.certificateArn().equals(theirs));

    CliRun destroy = CliRun.run(args("destroy", "--yes"));
    assertThat(destroy.exitCode()).as("%s", destroy).isZero();
    assertThat(aws.apis().getDomainNames().items()).isEmpty();
    assertThat(certificates())
        .extracting(CertificateSummary::certificateArn)
        .containsExactly(theirs);
    assertThat(recordTypes(zoneId)).containsKey("CNAME " + v.name());
    assertThat(records(zoneId).stream().filter(r -> r.aliasTarget() != null)).isEmpty();
  }

  @Test
  void should_remove_the_domain_with_domain_none_and_move_it_to_another_name() {
    assertThat(deploy("--domain", DOMAIN).exitCode()).isZero();

    CliRun moved = deploy("--domain", "api.example.com");
    assertThat(moved.exitCode()).as("%s", moved).isZero();
    assertThat(moved.err())
        .contains("setting domain chat.example.com -> api.example.com")
        .contains("domain chat.example.com: deleted")
        .contains("domain api.example.com (REGIONAL, TLS_1_2): created");
    assertThat(aws.apis().getDomainNames().items())
        .extracting(d -> d.domainName())
        .containsExactly("api.example.com");
    assertThat(certificates())
        .extracting(CertificateSummary::domainName)
        .containsExactly("api.example.com");

    CliRun none = deploy("--domain", "none");
    assertThat(none.exitCode()).as("%s", none).isZero();
    assertThat(none.out()).doesNotContain("Custom domain");
    assertThat(aws.apis().getDomainNames().items()).isEmpty();
    assertThat(certificates()).isEmpty();
    assertThat(recordTypes(zoneId).keySet())
        .containsExactlyInAnyOrder("NS example.com.", "SOA example.com.");
    // The function and API stay.
    assertThat(aws.apis().getApis().items()).hasSize(1);
  }

  @Test
  void should_use_the_longest_zone_or_the_one_chosen() {
    String sub = zone("chat.example.com");
    assertThat(deploy("--domain", DOMAIN).exitCode()).isZero();
    assertThat(recordTypes(sub)).containsKeys("A chat.example.com.", "AAAA chat.example.com.");
    assertThat(records(zoneId).stream().filter(r -> r.aliasTarget() != null)).isEmpty();

    assertThat(deploy("--domain", "none").exitCode()).isZero();
    CliRun chosen = deploy("--domain", DOMAIN, "--hosted-zone-id", zoneId);
    assertThat(chosen.exitCode()).as("%s", chosen).isZero();
    assertThat(records(zoneId).stream().filter(r -> r.aliasTarget() != null)).hasSize(2);
    // The choice is kept by a plain deploy.
    CliRun again = deploy("--dry-run");
    assertThat(again.out()).contains("domain         chat.example.com (zone " + zoneId + ")");
    assertThat(again.out()).doesNotContain("create ");
    // Moving the records to another zone takes a removal first.
    CliRun move = deploy("--hosted-zone-id", sub);
    assertThat(move.exitCode()).as("%s", move).isEqualTo(ExitCodes.FAILURE);
    assertThat(move.err())
        .contains(
            "The domain chat.example.com has its records in the zone "
                + zoneId
                + "; to move them, remove the domain (deploy --domain none)");
  }

  @Test
  void should_refuse_a_name_that_is_not_a_domain_before_any_aws_call() {
    for (String bad : new String[] {"chat_example.com", "localhost", "-a.example.com", "1.2.3.4"}) {
      CliRun r = deploy("--domain", bad);
      assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("--domain '" + bad + "' is not a domain name");
    }
    CliRun zone = deploy("--domain", DOMAIN, "--hosted-zone-id", "not a zone");
    assertThat(zone.exitCode()).as("%s", zone).isEqualTo(ExitCodes.USAGE);
    assertThat(zone.err()).contains("--hosted-zone-id: 'not a zone' is not a hosted zone ID");
    CliRun wait = deploy("--domain", DOMAIN, "--domain-wait", "soon");
    assertThat(wait.exitCode()).as("%s", wait).isEqualTo(ExitCodes.USAGE);
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
  }

  @Test
  void should_say_no_zone_owns_the_name_and_change_nothing() {
    CliRun r = deploy("--domain", "chat.example.org");
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err())
        .contains(
            "No public Route 53 hosted zone owns chat.example.org (looked for chat.example.org,"
                + " example.org)");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
    assertThat(certificates()).isEmpty();
  }

  @Test
  void should_refuse_a_name_mapped_to_another_api() {
    String other =
        aws.apis().createApi(r -> r.name("theirs").protocolType(ProtocolType.HTTP)).apiId();
    aws.apis()
        .createDomainName(
            r ->
                r.domainName(DOMAIN)
                    .domainNameConfigurations(
                        c -> c.certificateArn("arn:aws:acm:x").endpointType("REGIONAL")));
    aws.apis()
        .createApiMapping(
            r -> r.domainName(DOMAIN).apiId(other).stage("$default").apiMappingKey(""));

    CliRun r = deploy("--domain", DOMAIN);
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains(
            "The custom domain chat.example.com is already mapped to another API (" + other + ")");
    assertThat(aws.lambda().listFunctions().functions()).isEmpty();
    assertThat(certificates()).isEmpty();
  }

  @Test
  void should_refuse_to_overwrite_a_record_it_did_not_create() {
    upsert(zoneId, record(DOMAIN, RRType.A, "192.0.2.1"));
    CliRun r = deploy("--domain", DOMAIN);
    assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains("already has a record of type A for chat.example.com that deploy did not create");
    assertThat(records(zoneId).stream().filter(x -> x.type() == RRType.A).toList())
        .singleElement()
        .satisfies(x -> assertThat(x.resourceRecords().get(0).value()).isEqualTo("192.0.2.1"));
  }
}
