package dev.novaproxy.aws;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The resource policy on the alias {@code live}, read once: the API's invoke permission and the
 * stream URL's two statements are all in it.
 */
record AliasPolicy(JsonNode document) {
  static AliasPolicy read(AwsClients aws, String function) {
    try {
      String policy =
          aws.lambda()
              .getPolicy(r -> r.functionName(function).qualifier(ResourceNames.ALIAS))
              .policy();
      return new AliasPolicy(PolicyDocuments.parse(policy));
    } catch (ResourceNotFoundException e) {
      return new AliasPolicy(null);
    }
  }

  /** The statement with this Sid, if the policy has one. */
  Optional<JsonNode> statement(String sid) {
    if (document == null) {
      return Optional.empty();
    }
    for (JsonNode s : document.path("Statement")) {
      if (sid.equals(s.path("Sid").asText())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
