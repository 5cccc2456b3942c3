package dev.novaproxy.proxy;

import static dev.novaproxy.testing.BadRequests.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.testing.BadRequests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestValidatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "{'role':'user','content':'hi'}";

  private final RequestValidator validator = new RequestValidator(Policy.defaults());

  static List<BadRequests.Case> badRequests() {
    return BadRequests.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void should_reject_bad_input_naming_the_field(BadRequests.Case c) {
    ProxyException e =
        catchThrowableOfType(ProxyException.class, () -> validator.validate(c.body()));

    assertThat(e).as("a ProxyException for %s", c.name()).isNotNull();
    assertThat(e.status()).isEqualTo(c.status());
    assertThat(e.type()).isEqualTo(c.type());
    assertThat(e.code()).as(e.getMessage()).isEqualTo(c.code());
    assertThat(e.param()).as(e.getMessage()).isEqualTo(c.param());
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").hasSizeLessThan(400);
    assertPlainWords(e.getMessage());
    if (c.message() != null) {
      assertThat(e.getMessage()).contains(c.message());
    }
  }

  /** A message for people: none of the parser's class or feature names, nor its source notes. */
  static void assertPlainWords(String message) {
    assertThat(message)
        .doesNotContain("Source:")
        .doesNotContain("REDACTED")
        .doesNotContain("Feature")
        .doesNotContain("`")
        .doesNotContain("jackson")
        .doesNotContain("VALUE_")
        .doesNotContain("(code ")
        .doesNotContain("START_")
        .doesNotContain("END_");
  }

  @Test
  void should_cover_at_least_thirty_bad_inputs() {
    assertThat(BadRequests.all()).hasSizeGreaterThanOrEqualTo(30);
    assertThat(BadRequests.all()).extracting(BadRequests.Case::name).doesNotHaveDuplicates();
  }

  @Test
  void should_say_what_was_expected_and_what_came() {
    assertThatThrownBy(() -> validate("{'temperature':'hot','messages':[" + USER + "]}"))
        .hasMessage("Invalid type for 'temperature': expected a number, but got a string instead.");
    assertThatThrownBy(() -> validate("{'messages':[{'role':'developer','content':'x'}]}"))
        .hasMessageContaining("Nova does not support the 'developer' role")
        .hasMessageContaining("'system'");
  }

  @Test
  void should_not_echo_a_huge_value_in_an_error() {
    String huge = "x".repeat(100_000);
    ProxyException e =
        catchThrowableOfType(
            ProxyException.class,
            () -> validate("{'messages':[{'role':'" + huge + "','content':'hi'}]}"));
    assertThat(e.param()).isEqualTo("messages[0].role");
    assertThat(e.getMessage()).hasSizeLessThan(200);
  }

  @Test
  void should_name_the_field_of_an_absurdly_long_number_without_jackson_internals() {
    ProxyException e =
        catchThrowableOfType(
            ProxyException.class,
            () -> validate("{'max_tokens':" + "9".repeat(1001) + ",'messages':[" + USER + "]}"));

    assertThat(e.code()).isEqualTo("invalid_value");
    assertThat(e.param()).isEqualTo("max_tokens");
    assertThat(e.getMessage()).isEqualTo("A number at 'max_tokens' is longer than 1000 digits.");
  }

  @Nested
  class GoodRequests {
    @Test
    void should_accept_string_content_and_fill_in_the_default_model() {
      ValidatedRequest r =
          validate("{'messages':[{'role':'system','content':'be brief'}," + USER + "]}");

      assertThat(r.model()).isEqualTo(Policy.DEFAULT_MODEL);
      assertThat(r.stream()).isFalse();
      assertThat(r.body().get("model").textValue()).isEqualTo(Policy.DEFAULT_MODEL);
      assertThat(r.body().get("messages"))
          .isEqualTo(tree("[{'role':'system','content':'be brief'}," + USER + "]"));
    }

    @Test
    void should_accept_multimodal_parts_unchanged() {
      String content =
          "[{'type':'text','text':'what is this?'},"
              + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo=','detail':'low'}},"
              + "{'type':'file','file':{'file_data':'data:application/pdf;base64,JVBERi0=','filename':'a.pdf'}},"
              + "{'type':'input_audio','input_audio':{'data':'UklGRg==','format':'wav'}}]";

      ValidatedRequest r =
          validate(
              "{'model':'nova-2-pro-v1','messages':[{'role':'user','content':" + content + "}]}");

      assertThat(r.model()).isEqualTo("nova-2-pro-v1");
      assertThat(r.body().at("/messages/0/content")).isEqualTo(tree(content));
    }

    @Test
    void should_accept_tool_calls_and_tool_results() {
      String body =
          "{'messages':["
              + USER
              + ",{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function',"
              + "'function':{'name':'weather','arguments':'{\\\"city\\\":\\\"Oslo\\\"}'}}]},"
              + "{'role':'tool','tool_call_id':'call_1','content':'{\\\"temp\\\":3}'}],'tools':[{'type':'function','function':{'name':'weather','description':'Weather"
              + " now',"
              + "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']}}}],"
              + "'tool_choice':{'type':'function','function':{'name':'weather'}}}";

      ValidatedRequest r = validate(body);

      assertThat(r.body().at("/messages/1/tool_calls/0/function/arguments").textValue())
          .isEqualTo("{\"city\":\"Oslo\"}");
      assertThat(r.body().at("/messages/1/content").isNull()).isTrue();
      assertThat(r.body().get("tools")).isEqualTo(tree(json(body)).get("tools"));
    }

    @Test
    void should_accept_streaming_with_usage() {
      ValidatedRequest r =
          validate(
              "{'stream':true,'stream_options':{'include_usage':true},'messages':[" + USER + "]}");

      assertThat(r.stream()).isTrue();
      assertThat(r.body().at("/stream_options/include_usage").booleanValue()).isTrue();
    }

    @Test
    void should_accept_every_typed_parameter_at_its_limits() {
      ValidatedRequest r =
          validate(
              "{'model':'nova-2-lite-v1','temperature':2,'top_p':0,'max_tokens':1,'max_completion_tokens':2147483647,"
                  + "'stop':['a','b','c','d'],'reasoning_effort':'high','system_tools':['nova_grounding','nova_code_interpreter'],"
                  + "'tool_choice':'none','stream':false,'messages':["
                  + USER
                  + "]}");

      assertThat(r.body().get("max_completion_tokens").intValue()).isEqualTo(Integer.MAX_VALUE);
      assertThat(r.body().get("temperature").intValue()).isEqualTo(2);
    }

    @Test
    void should_treat_null_parameters_as_absent() {
      ValidatedRequest r =
          validate(
              "{'model':null,'temperature':null,'top_p':null,'max_tokens':null,'stop':null,'stream':null,"
                  + "'stream_options':null,'tools':null,'tool_choice':null,'reasoning_effort':null,'messages':["
                  + USER
                  + "]}");

      assertThat(r.model()).isEqualTo(Policy.DEFAULT_MODEL);
      assertThat(r.stream()).isFalse();
      assertThat(r.body().get("temperature").isNull()).isTrue();
    }

    @Test
    void should_pass_unknown_fields_through_byte_for_byte() throws Exception {
      String[] unknown = {
        "\"metadata\":{ \"b\" : 1e3, \"a\":\"\\u00e9\\/\" }",
        "\"top_k\":1.50",
        "\"seed\":-0",
        "\"x_big\":123456789012345678901234567890.000000000000000000001",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"strict\":true}}",
        "\"user\":\"\\ud83d\\ude00 h\u00e9\"",
        "\"lone\":\"\\ud800\"",
        "\"list\":[ 1 ,2.0,\n null , true ]"
      };
      String body =
          "{"
              + String.join(",", unknown)
              + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

      ValidatedRequest r = validator.validate(body.getBytes(StandardCharsets.UTF_8));
      String forwarded = JSON.writeValueAsString(r.body());

      for (String field : unknown) {
        assertThat(forwarded).contains(field);
      }
      assertThat(JSON.readTree(forwarded).get("metadata"))
          .isEqualTo(JSON.readTree(body).get("metadata"));
    }

    @Test
    void should_keep_raw_fields_exact_after_a_byte_order_mark() throws Exception {
      byte[] json =
          json("{'metadata':{'k':'v'},'messages':[" + USER + "]}").getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[json.length + 3];
      body[0] = (byte) 0xEF;
      body[1] = (byte) 0xBB;
      body[2] = (byte) 0xBF;
      System.arraycopy(json, 0, body, 3, json.length);

      ValidatedRequest r = validator.validate(body);

      assertThat(JSON.writeValueAsString(r.body())).contains("\"metadata\":{\"k\":\"v\"}");
    }

    @Test
    void should_keep_non_ascii_text_intact() {
      String text = "h\u00e9 \u65e5\u672c \ud83d\ude00 \u0000";
      ValidatedRequest r =
          validator.validate(
              ("{\"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9 \u65e5\u672c \ud83d\ude00"
                      + " \\u0000\"}]}")
                  .getBytes(StandardCharsets.UTF_8));

      assertThat(r.body().at("/messages/0/content").textValue()).isEqualTo(text);
    }
  }

  @Nested
  class Limits {
    private final RequestValidator small =
        new RequestValidator(
            new Policy(
                Policy.DEFAULT_MODEL, Set.of(), null, List.of(), new Policy.Limits(200, 5, 20)));

    @Test
    void should_answer_413_over_the_body_limit_and_accept_at_it() {
      String base = json("{'messages':[" + USER + "],'pad':''}");
      String atLimit =
          base.replace("\"pad\":\"\"", "\"pad\":\"" + "x".repeat(200 - base.length()) + "\"");
      assertThat(atLimit).hasSize(200);

      RequestValidator v =
          new RequestValidator(
              new Policy(
                  Policy.DEFAULT_MODEL,
                  Set.of(),
                  null,
                  List.of(),
                  new Policy.Limits(200, 64, 200)));

      assertThat(v.validate(atLimit.getBytes(StandardCharsets.UTF_8)).model())
          .isEqualTo(Policy.DEFAULT_MODEL);
      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () -> v.validate((atLimit + " ").getBytes(StandardCharsets.UTF_8)));
      assertThat(e.status()).isEqualTo(413);
      assertThat(e.code()).isEqualTo("request_too_large");
      assertThat(e.getMessage()).contains("200 bytes");
    }

    @Test
    void should_reject_nesting_over_the_depth_limit_naming_it() {
      // The root object is level 1, so it may hold four levels of nesting under it.
      small.validate(bytes("{'messages':[" + USER + "],'m':{'a':{'b':{'c':{'d':1}}}}}"));

      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () ->
                  small.validate(
                      bytes("{'messages':[" + USER + "],'m':{'a':{'b':{'c':{'d':{'e':1}}}}}}")));
      assertThat(e.code()).isEqualTo("nesting_too_deep");
      assertThat(e.param()).isEqualTo("m.a.b.c.d");
      assertThat(e.getMessage()).contains("limit of 5 levels");
    }

    @Test
    void should_reject_a_string_over_the_length_limit_naming_it() {
      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () ->
                  small.validate(
                      bytes("{'messages':[{'role':'user','content':'" + "y".repeat(21) + "'}]}")));

      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("string_too_long");
      assertThat(e.param()).isEqualTo("messages[0].content");
      assertThat(e.getMessage()).contains("limit of 20 characters");
    }

    @Test
    void should_apply_the_string_limit_to_fields_passed_through_too() {
      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () ->
                  small.validate(
                      bytes("{'messages':[" + USER + "],'meta':['" + "z".repeat(21) + "']}")));

      assertThat(e.code()).isEqualTo("string_too_long");
      assertThat(e.param()).isEqualTo("meta[0]");
    }
  }

  @Nested
  class PolicyRulesTest {
    @Test
    void should_keep_a_model_the_client_names() {
      assertThat(validate("{'model':'nova-pro-v1','messages':[" + USER + "]}").model())
          .isEqualTo("nova-pro-v1");
    }

    @Test
    void should_refuse_a_model_not_allowed_naming_the_allowed_ones() {
      RequestValidator v = withPolicy(Set.of("nova-2-lite-v1", "nova-2-pro-v1"), null);

      assertThat(v.validate(bytes("{'model':'nova-2-pro-v1','messages':[" + USER + "]}")).model())
          .isEqualTo("nova-2-pro-v1");
      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () -> v.validate(bytes("{'model':'nova-premier-v1','messages':[" + USER + "]}")));
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("model_not_allowed");
      assertThat(e.param()).isEqualTo("model");
      assertThat(e.getMessage())
          .contains("'nova-premier-v1'")
          .contains("nova-2-lite-v1, nova-2-pro-v1");
    }

    @Test
    void should_refuse_a_default_model_outside_the_allowed_ones() {
      RequestValidator v =
          new RequestValidator(
              new Policy(
                  "nova-micro-v1",
                  Set.of("nova-2-lite-v1"),
                  null,
                  List.of(),
                  Policy.Limits.defaults()));

      ProxyException e =
          catchThrowableOfType(
              ProxyException.class, () -> v.validate(bytes("{'messages':[" + USER + "]}")));
      assertThat(e.code()).isEqualTo("model_not_allowed");
      assertThat(e.getMessage())
          .contains("default model 'nova-micro-v1'")
          .contains("nova-2-lite-v1");
    }

    @Test
    void should_refuse_more_than_one_choice_under_a_cap_and_allow_it_without() {
      ProxyException e =
          catchThrowableOfType(
              ProxyException.class,
              () -> withPolicy(Set.of(), 500).validate(bytes("{'n':3,'messages':[" + USER + "]}")));
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.param()).isEqualTo("n");
      assertThat(
              withPolicy(Set.of(), 500)
                  .validate(bytes("{'n':1,'messages':[" + USER + "]}"))
                  .body()
                  .get("n")
                  .intValue())
          .isEqualTo(1);
      assertThat(
              withPolicy(Set.of(), null)
                  .validate(bytes("{'n':3,'messages':[" + USER + "]}"))
                  .body()
                  .get("n")
                  .intValue())
          .isEqualTo(3);
      ProxyException bad =
          catchThrowableOfType(
              ProxyException.class,
              () ->
                  withPolicy(Set.of(), null).validate(bytes("{'n':0,'messages':[" + USER + "]}")));
      assertThat(bad.param()).isEqualTo("n");
    }

    @Test
    void should_lower_max_tokens_above_the_cap() {
      ValidatedRequest r =
          withPolicy(Set.of(), 500)
              .validate(bytes("{'max_tokens':4000,'messages':[" + USER + "]}"));

      assertThat(r.body().get("max_tokens").intValue()).isEqualTo(500);
      assertThat(r.body().has("max_completion_tokens")).isFalse();
    }

    @Test
    void should_leave_max_tokens_under_the_cap() {
      ValidatedRequest r =
          withPolicy(Set.of(), 500).validate(bytes("{'max_tokens':100,'messages':[" + USER + "]}"));

      assertThat(r.body().get("max_tokens").intValue()).isEqualTo(100);
    }

    @Test
    void should_lower_max_completion_tokens_above_the_cap_and_add_nothing_else() {
      ValidatedRequest r =
          withPolicy(Set.of(), 500)
              .validate(bytes("{'max_completion_tokens':9999,'messages':[" + USER + "]}"));

      assertThat(r.body().get("max_completion_tokens").intValue()).isEqualTo(500);
      assertThat(r.body().has("max_tokens")).isFalse();
    }

    @Test
    void should_cap_both_when_both_are_given() {
      ValidatedRequest r =
          withPolicy(Set.of(), 500)
              .validate(
                  bytes(
                      "{'max_tokens':600,'max_completion_tokens':400,'messages':[" + USER + "]}"));

      assertThat(r.body().get("max_tokens").intValue()).isEqualTo(500);
      assertThat(r.body().get("max_completion_tokens").intValue()).isEqualTo(400);
    }

    @Test
    void should_set_max_tokens_to_the_cap_when_the_request_names_no_limit() {
      ValidatedRequest absent =
          withPolicy(Set.of(), 500).validate(bytes("{'messages':[" + USER + "]}"));
      ValidatedRequest nulled =
          withPolicy(Set.of(), 500)
              .validate(bytes("{'max_tokens':null,'messages':[" + USER + "]}"));

      assertThat(absent.body().get("max_tokens").intValue()).isEqualTo(500);
      assertThat(nulled.body().get("max_tokens").intValue()).isEqualTo(500);
    }

    @Test
    void should_add_no_token_limit_without_a_cap() {
      ValidatedRequest r = validate("{'messages':[" + USER + "]}");

      assertThat(r.body().has("max_tokens")).isFalse();
      assertThat(r.body().has("max_completion_tokens")).isFalse();
    }

    private RequestValidator withPolicy(Set<String> allowed, Integer cap) {
      return new RequestValidator(
          new Policy(Policy.DEFAULT_MODEL, allowed, cap, List.of(), Policy.Limits.defaults()));
    }
  }

  @Test
  void should_validate_concurrently_with_one_shared_instance() throws Exception {
    RequestValidator shared = new RequestValidator(Policy.defaults());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    String model = "m-" + thread + "-" + i;
                    ValidatedRequest r =
                        shared.validate(
                            bytes(
                                "{'model':'"
                                    + model
                                    + "','extra':"
                                    + i
                                    + ",'messages':["
                                    + USER
                                    + "]}"));
                    if (!r.model().equals(model)
                        || !r.body().get("extra").toString().equals(Integer.toString(i))) {
                      return false;
                    }
                    if (i % 10 == 0) {
                      assertThatThrownBy(() -> shared.validate(bytes("{'messages':[]}")))
                          .isInstanceOf(ProxyException.class);
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private ValidatedRequest validate(String singleQuoted) {
    return validator.validate(bytes(singleQuoted));
  }

  private static byte[] bytes(String singleQuoted) {
    return json(singleQuoted).getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode tree(String singleQuoted) {
    try {
      return JSON.readTree(json(singleQuoted));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
