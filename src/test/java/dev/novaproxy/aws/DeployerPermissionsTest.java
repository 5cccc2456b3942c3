package dev.novaproxy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The actions doctor asks IAM about are the ones docs/aws.md tells users to grant: adding a call to
 * the code means adding it to both, or this fails.
 */
class DeployerPermissionsTest {
  private static final Pattern ACTIONS = Pattern.compile("`([a-z0-9]+):([A-Z][^`]*)`");

  @Test
  void should_list_exactly_the_actions_in_the_docs() throws IOException {
    String readme = Files.readString(Path.of("docs/aws.md"));
    int start = readme.indexOf("### Permissions the deploying identity needs");
    assertThat(start).isPositive();
    int end = readme.indexOf("\n#", start + 10);
    String section = readme.substring(start, end).replace('\n', ' ');
    List<String> documented = new ArrayList<>();
    Matcher m = ACTIONS.matcher(section);
    while (m.find()) {
      for (String action : m.group(2).split(",")) {
        documented.add(m.group(1) + ":" + action.trim());
      }
    }
    List<String> asked =
        DeployerPermissions.of(
                new Account("123456789012", "aws", "us-east-1"),
                new ResourceNames("novaproxy"),
                "backend/NovaApiKey",
                null)
            .stream()
            .flatMap(g -> g.actions().stream())
            .toList();
    assertThat(asked).doesNotHaveDuplicates();
    assertThat(asked).containsExactlyInAnyOrderElementsOf(documented);
  }
}
