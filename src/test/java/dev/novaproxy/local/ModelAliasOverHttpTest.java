package dev.novaproxy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.proxy.Policy;
import dev.novaproxy.testing.RunningProxy;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Model aliases through real HTTP: the client asks for a name, FakeNova sees the Nova model the
 * deployment chose, the allowed models judge that model, and {@code /v1/models} lists the names.
 */
class ModelAliasOverHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunningProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static String ask(String model, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  }

  private void start(Policy policy) {
    proxy = RunningProxy.start(s -> s.withPolicy(policy));
  }

  @Test
  void should_send_novas_model_for_an_alias_and_answer_with_what_nova_says() throws Exception {
    start(Policy.defaults().withModelAliases(Map.of("chat", "nova-2-pro-v1")));

    HttpResponse<String> r = proxy.post("/chat", ask("chat", false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests().get(0).json().path("model").asText())
        .isEqualTo("nova-2-pro-v1");
    // The answer's model is Nova's own, unchanged: the client can see which model answered.
    assertThat(JSON.readTree(r.body()).path("model").asText()).isEqualTo("nova-2-pro-v1");
    JsonNode line = JSON.readTree(proxy.logLines.get(proxy.logLines.size() - 1));
    assertThat(line.path("model").asText()).isEqualTo("nova-2-pro-v1");
    assertThat(line.path("modelAlias").asText()).isEqualTo("chat");

    HttpResponse<String> streamed = proxy.post("/chat", ask("chat", true));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests().get(1).json().path("model").asText())
        .isEqualTo("nova-2-pro-v1");

    // A name that is no alias passes as it is, and its log line has no alias.
    assertThat(proxy.post("/chat", ask("nova-2-lite-v1", false)).statusCode()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests().get(2).json().path("model").asText())
        .isEqualTo("nova-2-lite-v1");
    assertThat(JSON.readTree(proxy.logLines.get(proxy.logLines.size() - 1)).has("modelAlias"))
        .isFalse();
  }

  @Test
  void should_resolve_a_default_model_that_is_an_alias() throws Exception {
    Policy p =
        new Policy(
            "chat",
            Set.of(),
            null,
            List.of(),
            Policy.Limits.defaults(),
            Map.of("chat", "nova-2-pro-v1"));
    start(p);
    HttpResponse<String> r =
        proxy.post("/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(proxy.nova.chatRequests().get(0).json().path("model").asText())
        .isEqualTo("nova-2-pro-v1");
  }

  @Test
  void should_judge_the_model_an_alias_names_against_the_allowed_models() throws Exception {
    start(
        new Policy(
            "nova-2-lite-v1",
            Set.of("nova-2-lite-v1"),
            null,
            List.of(),
            Policy.Limits.defaults(),
            Map.of("chat", "nova-2-lite-v1", "big", "nova-2-pro-v1")));

    // The alias name is not in the allowed list, its model is: allowed.
    assertThat(proxy.post("/chat", ask("chat", false)).statusCode()).isEqualTo(200);
    // An alias cannot open a model the list does not allow.
    HttpResponse<String> big = proxy.post("/chat", ask("big", false));
    assertThat(big.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(big.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_allowed");
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(error.path("message").asText())
        .isEqualTo(
            "The model 'big' (an alias of 'nova-2-pro-v1') is not allowed by this proxy; use one"
                + " of: nova-2-lite-v1.");
    assertThat(proxy.nova.chatRequests()).hasSize(1);
  }

  @Test
  void should_list_the_alias_names_whose_models_are_allowed() throws Exception {
    start(
        new Policy(
            "nova-2-lite-v1",
            Set.of("nova-2-lite-v1", "nova-lite-v1"),
            null,
            List.of(),
            Policy.Limits.defaults(),
            Map.of(
                "chat", "nova-2-lite-v1",
                "big", "nova-2-pro-v1",
                // An alias shadowing one of Nova's models replaces its entry.
                "nova-lite-v1", "nova-2-lite-v1")));
    proxy.nova.models(List.of("nova-2-lite-v1", "nova-2-pro-v1", "nova-lite-v1"));

    HttpResponse<String> r = proxy.get("/v1/models");
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JsonNode data = JSON.readTree(r.body()).path("data");
    data.forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).containsExactly("nova-2-lite-v1", "chat", "nova-lite-v1");
    assertThat(data.get(1).path("alias_of").asText()).isEqualTo("nova-2-lite-v1");
    assertThat(data.get(1).path("object").asText()).isEqualTo("model");
    assertThat(data.get(1).path("owned_by").asText()).isEqualTo("amazon");
    assertThat(data.get(2).path("alias_of").asText()).isEqualTo("nova-2-lite-v1");
  }
}
