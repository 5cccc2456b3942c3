package dev.novaproxy.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bad-input matrix: request bodies the proxy must reject with a 400, each with the error code
 * and {@code param} it must answer with. Shared by the validator's unit test and the over-HTTP
 * test, so both prove the same thing at their level. Bodies assume the default policy.
 */
public final class BadRequests {
  /**
   * One bad request and the error it must get. {@code param} null means the body as a whole; {@code
   * message}, when not null, is a part of the error message the client must read.
   */
  public record Case(
      String name,
      byte[] body,
      int status,
      String type,
      String code,
      String param,
      String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String USER = "{'role':'user','content':'hi'}";

  public static List<Case> all() {
    List<Case> c = new ArrayList<>();
    // The body as a whole.
    c.add(raw("empty body", "", "invalid_json", null));
    c.add(raw("only whitespace", "  \n ", "invalid_json", null));
    c.add(bad("array instead of object", "[" + USER + "]", "invalid_type", null));
    c.add(bad("string instead of object", "'hello'", "invalid_type", null));
    c.add(bad("number instead of object", "42", "invalid_type", null));
    c.add(
        saying(
            bad("truncated JSON", "{'messages':[" + USER, "invalid_json", null),
            "The JSON body ends early at line 1, column 44: the array opened at line 1, column 13"
                + " is not closed."));
    c.add(
        saying(
            raw(
                "truncated JSON over lines",
                "{\"messages\":[\n{\"role\":\"user\",\"content\":\"hi\"}\n",
                "invalid_json",
                null),
            "The JSON body ends early at line 3, column 1"));
    c.add(
        saying(
            bad("single-quoted JSON", "{\\'messages\\':[]}", "invalid_json", null),
            "Invalid JSON at line 1, column 2: keys need double quotes, not single quotes."));
    c.add(
        saying(
            bad("trailing garbage", "{'messages':[" + USER + "]}x", "invalid_json", null),
            "more data after the JSON object ends, at line 1, column 46"));
    c.add(bad("two objects", "{'messages':[" + USER + "]} {}", "invalid_json", null));
    c.add(
        saying(
            raw("NaN as a number", "{\"x\":NaN}", "invalid_json", null),
            "Invalid JSON at line 1, column 6: NaN is not a JSON number."));
    c.add(
        saying(
            raw("NaN after non-ASCII text", "{\"café\":NaN}", "invalid_json", null),
            "line 1, column 9: NaN is not a JSON number.")); // columns count characters
    c.add(
        saying(
            raw(
                "NaN on the second line",
                "{\"messages\":[],\r\n  \"x\":NaN}",
                "invalid_json",
                null),
            "line 2, column 7: NaN is not a JSON number."));
    c.add(
        saying(
            bad(
                "Infinity as a number",
                "{'messages':[" + USER + "],'seed':-Infinity}",
                "invalid_json",
                null),
            "column 53: -Infinity is not a JSON number."));
    c.add(
        saying(
            bad(
                "a number with a plus sign",
                "{'temperature':+1,'messages':[" + USER + "]}",
                "invalid_json",
                null),
            "column 16: a number must not start with '+'."));
    c.add(
        saying(
            bad(
                "a capitalised literal",
                "{'stream':True,'messages':[" + USER + "]}",
                "invalid_json",
                null),
            "column 11: 'True' is not a JSON value"));
    c.add(
        saying(
            bad("a comment", "{/* hi */'messages':[" + USER + "]}", "invalid_json", null),
            "column 2: comments are not allowed in JSON."));
    c.add(
        saying(
            bad("a trailing comma", "{'messages':[" + USER + ",]}", "invalid_json", null),
            "column 45: a ',' must be followed by another value"));
    c.add(
        saying(
            bad(
                "an unclosed string",
                "{'messages':[{'role':'user','content':'hi",
                "invalid_json",
                null),
            "The JSON body ends early at line 1, column 42: a string is not closed."));
    c.add(
        saying(
            raw(
                "a raw line break in a string",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"h\ni\"}]}",
                "invalid_json",
                null),
            "column 41: a line break inside a string must be written as \\n."));
    c.add(
        saying(
            raw(
                "an unknown escape",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"C:\\xyz\"}]}",
                "invalid_json",
                null),
            "column 42: '\\x' is not an escape JSON knows"));
    c.add(
        saying(
            bad("a mismatched bracket", "{'messages':[" + USER + "}}", "invalid_json", null),
            "column 44: found '}' where ']' was expected to close the array opened at line 1,"
                + " column 13."));
    c.add(
        bad(
            "duplicate top-level key",
            "{'messages':[" + USER + "],'messages':[" + USER + "]}",
            "duplicate_key",
            "messages"));
    c.add(
        bad(
            "duplicate key in a message",
            "{'messages':[{'role':'user','role':'user','content':'x'}]}",
            "duplicate_key",
            "messages[0].role"));
    c.add(
        bad(
            "duplicate key in an unknown field",
            "{'messages':[" + USER + "],'metadata':{'a':1,'a':2}}",
            "duplicate_key",
            "metadata.a"));
    c.add(
        bytes(
            "invalid UTF-8 byte",
            withBytes("{'messages':[{'role':'user','content':'h#'}]}", 0xFF),
            "invalid_encoding",
            null));
    c.add(
        bytes(
            "overlong UTF-8",
            withBytes("{'messages':[{'role':'user','content':'h#'}]}", 0xC0, 0xAF),
            "invalid_encoding",
            null));
    c.add(
        bytes(
            "UTF-8-encoded surrogate",
            withBytes("{'messages':[{'role':'user','content':'h#'}]}", 0xED, 0xA0, 0x80),
            "invalid_encoding",
            null));
    c.add(
        bytes(
            "UTF-8 cut short at the end",
            withBytes("{'messages':[" + USER + "]}#", 0xE2, 0x82),
            "invalid_encoding",
            null));
    c.add(
        bytes(
            "UTF-16 body",
            json("{'messages':[" + USER + "]}").getBytes(StandardCharsets.UTF_16LE),
            "invalid_encoding",
            null));
    c.add(
        bad(
            "too deep",
            "{'messages':["
                + USER
                + "],'metadata':"
                + "{'a':".repeat(70)
                + "1"
                + "}".repeat(70)
                + "}",
            "nesting_too_deep",
            deepPath()));
    // messages
    c.add(
        bad("no messages", "{'model':'nova-2-lite-v1'}", "missing_required_parameter", "messages"));
    c.add(bad("messages null", "{'messages':null}", "missing_required_parameter", "messages"));
    c.add(bad("messages not an array", "{'messages':" + USER + "}", "invalid_type", "messages"));
    c.add(bad("messages empty", "{'messages':[]}", "invalid_value", "messages"));
    c.add(bad("message not an object", "{'messages':['hi']}", "invalid_type", "messages[0]"));
    c.add(
        bad(
            "role missing",
            "{'messages':[{'content':'hi'}]}",
            "missing_required_parameter",
            "messages[0].role"));
    c.add(
        bad(
            "role a number",
            "{'messages':[{'role':1,'content':'hi'}]}",
            "invalid_type",
            "messages[0].role"));
    c.add(
        bad(
            "role developer",
            "{'messages':[{'role':'developer','content':'be brief'}," + USER + "]}",
            "unsupported_value",
            "messages[0].role"));
    c.add(
        bad(
            "role unknown",
            "{'messages':[" + USER + ",{'role':'bot','content':'hi'}]}",
            "invalid_value",
            "messages[1].role"));
    c.add(
        bad(
            "content missing",
            "{'messages':[{'role':'user'}]}",
            "missing_required_parameter",
            "messages[0].content"));
    c.add(
        bad(
            "content null without tool calls",
            "{'messages':[" + USER + ",{'role':'assistant','content':null}]}",
            "missing_required_parameter",
            "messages[1].content"));
    c.add(
        bad(
            "content a number",
            "{'messages':[{'role':'user','content':7}]}",
            "invalid_type",
            "messages[0].content"));
    c.add(
        bad(
            "content an object",
            "{'messages':[{'role':'user','content':{'text':'hi'}}]}",
            "invalid_type",
            "messages[0].content"));
    c.add(
        bad(
            "content parts empty",
            "{'messages':[{'role':'user','content':[]}]}",
            "invalid_value",
            "messages[0].content"));
    c.add(
        bad(
            "content part a string",
            "{'messages':[{'role':'user','content':['hi']}]}",
            "invalid_type",
            "messages[0].content[0]"));
    c.add(
        bad(
            "content part without type",
            "{'messages':[{'role':'user','content':[{'text':'hi'}]}]}",
            "missing_required_parameter",
            "messages[0].content[0].type"));
    c.add(
        bad(
            "content part of unknown type",
            "{'messages':[{'role':'user','content':[{'type':'video','video':{}}]}]}",
            "invalid_value",
            "messages[0].content[0].type"));
    c.add(
        bad(
            "text part without text",
            "{'messages':[{'role':'user','content':[{'type':'text'}]}]}",
            "missing_required_parameter",
            "messages[0].content[0].text"));
    c.add(
        bad(
            "text part text a number",
            "{'messages':[{'role':'user','content':[{'type':'text','text':5}]}]}",
            "invalid_type",
            "messages[0].content[0].text"));
    c.add(
        bad(
            "image part url a number",
            "{'messages':["
                + USER
                + ",{'role':'assistant','content':'ok'},{'role':'user','content':[{'type':'text','text':'what?'},{'type':'image_url','image_url':{'url':5}}]}]}",
            "invalid_type",
            "messages[2].content[1].image_url.url"));
    c.add(
        bad(
            "image part url missing",
            "{'messages':[{'role':'user','content':[{'type':'image_url','image_url':{'detail':'low'}}]}]}",
            "missing_required_parameter",
            "messages[0].content[0].image_url.url"));
    c.add(
        bad(
            "image part image_url a string",
            "{'messages':[{'role':'user','content':[{'type':'image_url','image_url':'https://x/y.png'}]}]}",
            "invalid_type",
            "messages[0].content[0].image_url"));
    c.add(
        bad(
            "file part without data",
            "{'messages':[{'role':'user','content':[{'type':'file','file':{'filename':'a.pdf'}}]}]}",
            "missing_required_parameter",
            "messages[0].content[0].file.file_data"));
    c.add(
        bad(
            "file part data a number",
            "{'messages':[{'role':'user','content':[{'type':'file','file':{'file_data':1}}]}]}",
            "invalid_type",
            "messages[0].content[0].file.file_data"));
    c.add(
        bad(
            "audio part not an object",
            "{'messages':[{'role':'user','content':[{'type':'input_audio','input_audio':'UklGR'}]}]}",
            "invalid_type",
            "messages[0].content[0].input_audio"));
    c.add(
        bad(
            "name a number",
            "{'messages':[{'role':'user','content':'hi','name':3}]}",
            "invalid_type",
            "messages[0].name"));
    c.add(
        bad(
            "tool message without tool_call_id",
            "{'messages':[" + USER + ",{'role':'tool','content':'42'}]}",
            "missing_required_parameter",
            "messages[1].tool_call_id"));
    c.add(
        bad(
            "tool_calls not an array",
            "{'messages':[" + USER + ",{'role':'assistant','content':null,'tool_calls':{}}]}",
            "invalid_type",
            "messages[1].tool_calls"));
    c.add(
        bad(
            "tool_calls on a user message",
            "{'messages':[{'role':'user','content':'hi','tool_calls':[]}]}",
            "invalid_value",
            "messages[0].tool_calls"));
    c.add(
        bad(
            "tool call without function",
            "{'messages':["
                + USER
                + ",{'role':'assistant','tool_calls':[{'id':'c1','type':'function'}]}]}",
            "missing_required_parameter",
            "messages[1].tool_calls[0].function"));
    c.add(
        bad(
            "tool call not an object",
            "{'messages':[" + USER + ",{'role':'assistant','tool_calls':['c1']}]}",
            "invalid_type",
            "messages[1].tool_calls[0]"));
    c.add(
        bad(
            "content missing beside empty tool_calls",
            "{'messages':[" + USER + ",{'role':'assistant','tool_calls':[]}]}",
            "missing_required_parameter",
            "messages[1].content"));
    c.add(
        bad(
            "tool call arguments an object",
            "{'messages':["
                + USER
                + ",{'role':'assistant','tool_calls':[{'id':'c1','type':'function',"
                + "'function':{'name':'f','arguments':{'a':1}}}]}]}",
            "invalid_type",
            "messages[1].tool_calls[0].function.arguments"));
    // Typed parameters.
    c.add(bad("model a number", "{'model':4,'messages':[" + USER + "]}", "invalid_type", "model"));
    c.add(bad("model empty", "{'model':' ','messages':[" + USER + "]}", "invalid_value", "model"));
    c.add(
        bad(
            "stream a string",
            "{'stream':'yes','messages':[" + USER + "]}",
            "invalid_type",
            "stream"));
    c.add(
        bad(
            "temperature a string",
            "{'temperature':'hot','messages':[" + USER + "]}",
            "invalid_type",
            "temperature"));
    c.add(
        bad(
            "temperature above 2",
            "{'temperature':2.5,'messages':[" + USER + "]}",
            "invalid_value",
            "temperature"));
    c.add(
        bad(
            "temperature below 0",
            "{'temperature':-0.1,'messages':[" + USER + "]}",
            "invalid_value",
            "temperature"));
    c.add(
        bad("top_p above 1", "{'top_p':1.01,'messages':[" + USER + "]}", "invalid_value", "top_p"));
    c.add(
        bad(
            "max_tokens zero",
            "{'max_tokens':0,'messages':[" + USER + "]}",
            "invalid_value",
            "max_tokens"));
    c.add(
        bad(
            "max_tokens a fraction",
            "{'max_tokens':10.5,'messages':[" + USER + "]}",
            "invalid_type",
            "max_tokens"));
    c.add(
        bad(
            "max_tokens a string",
            "{'max_tokens':'100','messages':[" + USER + "]}",
            "invalid_type",
            "max_tokens"));
    c.add(
        bad(
            "max_tokens beyond 32 bits",
            "{'max_tokens':3000000000,'messages':[" + USER + "]}",
            "invalid_value",
            "max_tokens"));
    c.add(
        bad(
            "max_completion_tokens negative",
            "{'max_completion_tokens':-5,'messages':[" + USER + "]}",
            "invalid_value",
            "max_completion_tokens"));
    c.add(bad("stop a number", "{'stop':1,'messages':[" + USER + "]}", "invalid_type", "stop"));
    c.add(
        bad(
            "stop five sequences",
            "{'stop':['a','b','c','d','e'],'messages':[" + USER + "]}",
            "invalid_value",
            "stop"));
    c.add(
        bad(
            "stop with a number",
            "{'stop':['a',2],'messages':[" + USER + "]}",
            "invalid_type",
            "stop[1]"));
    c.add(
        bad(
            "tools not an array",
            "{'tools':{},'messages':[" + USER + "]}",
            "invalid_type",
            "tools"));
    c.add(
        bad(
            "tool of another type",
            "{'tools':[{'type':'retrieval'}],'messages':[" + USER + "]}",
            "invalid_value",
            "tools[0].type"));
    c.add(
        bad(
            "tool function without name",
            "{'tools':[{'type':'function','function':{'description':'d'}}],'messages':["
                + USER
                + "]}",
            "missing_required_parameter",
            "tools[0].function.name"));
    c.add(
        bad(
            "tool parameters not an object",
            "{'tools':[{'type':'function','function':{'name':'f','parameters':'{}'}}],'messages':["
                + USER
                + "]}",
            "invalid_type",
            "tools[0].function.parameters"));
    c.add(
        bad(
            "tool_choice unknown word",
            "{'tool_choice':'sometimes','messages':[" + USER + "]}",
            "invalid_value",
            "tool_choice"));
    c.add(
        bad(
            "tool_choice a number",
            "{'tool_choice':1,'messages':[" + USER + "]}",
            "invalid_type",
            "tool_choice"));
    c.add(
        bad(
            "tool_choice names an undefined function",
            "{'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':{'type':'function','function':{'name':'g'}},'messages':["
                + USER
                + "]}",
            "invalid_value",
            "tool_choice.function.name"));
    c.add(
        bad(
            "tool_choice required without tools",
            "{'tool_choice':'required','messages':[" + USER + "]}",
            "invalid_value",
            "tool_choice"));
    c.add(
        bad(
            "tool_choice object of another type",
            "{'tools':[{'type':'function','function':{'name':'f'}}],"
                + "'tool_choice':{'type':'tool','function':{'name':'f'}},'messages':["
                + USER
                + "]}",
            "invalid_value",
            "tool_choice.type"));
    c.add(
        bad(
            "stream_options without stream",
            "{'stream_options':{'include_usage':true},'messages':[" + USER + "]}",
            "invalid_value",
            "stream_options"));
    c.add(
        bad(
            "stream_options not an object",
            "{'stream':true,'stream_options':true,'messages':[" + USER + "]}",
            "invalid_type",
            "stream_options"));
    c.add(
        bad(
            "include_usage a string",
            "{'stream':true,'stream_options':{'include_usage':'yes'},'messages':[" + USER + "]}",
            "invalid_type",
            "stream_options.include_usage"));
    c.add(
        bad(
            "reasoning_effort unknown",
            "{'reasoning_effort':'max','messages':[" + USER + "]}",
            "invalid_value",
            "reasoning_effort"));
    c.add(
        bad(
            "system_tools a string",
            "{'system_tools':'nova_grounding','messages':[" + USER + "]}",
            "invalid_type",
            "system_tools"));
    c.add(
        bad(
            "system_tools with a number",
            "{'system_tools':['nova_grounding',1],'messages':[" + USER + "]}",
            "invalid_type",
            "system_tools[1]"));
    return c;
  }

  /** JSON written with single quotes for readability; {@code \'} stays a literal quote. */
  public static String json(String singleQuoted) {
    return singleQuoted.replace("\\'", "\u0001").replace('\'', '"').replace('\u0001', '\'');
  }

  private static Case bad(String name, String singleQuoted, String code, String param) {
    return new Case(
        name,
        json(singleQuoted).getBytes(StandardCharsets.UTF_8),
        400,
        "invalid_request_error",
        code,
        param,
        null);
  }

  private static Case raw(String name, String body, String code, String param) {
    return new Case(
        name,
        body.getBytes(StandardCharsets.UTF_8),
        400,
        "invalid_request_error",
        code,
        param,
        null);
  }

  private static Case bytes(String name, byte[] body, String code, String param) {
    return new Case(name, body, 400, "invalid_request_error", code, param, null);
  }

  /** The case, whose error message must contain {@code message}. */
  private static Case saying(Case c, String message) {
    return new Case(c.name(), c.body(), c.status(), c.type(), c.code(), c.param(), message);
  }

  /** The body with its one {@code #} replaced by the given bytes. */
  private static byte[] withBytes(String singleQuoted, int... replacement) {
    byte[] b = json(singleQuoted).getBytes(StandardCharsets.UTF_8);
    int at = indexOf(b, (byte) '#');
    byte[] out = new byte[b.length - 1 + replacement.length];
    System.arraycopy(b, 0, out, 0, at);
    for (int i = 0; i < replacement.length; i++) {
      out[at + i] = (byte) replacement[i];
    }
    System.arraycopy(b, at + 1, out, at + replacement.length, b.length - at - 1);
    return out;
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    throw new IllegalArgumentException("no # in " + Arrays.toString(b));
  }

  /**
   * Where the default depth limit of 64 trips in the "too deep" case: the root is level 1 and
   * metadata's object level 2, so the 63rd nested 'a' holds the 65th level.
   */
  private static String deepPath() {
    return "metadata" + ".a".repeat(63);
  }

  private BadRequests() {}
}
