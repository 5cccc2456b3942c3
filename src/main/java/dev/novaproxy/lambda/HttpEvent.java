package dev.novaproxy.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP event (payload format 2.0) as the Runtime API delivers it, and which door it came
 * through. A function URL and an HTTP API send the same shape; only {@code
 * requestContext.domainName} tells them apart ({@code <id>.lambda-url.<region>.on.aws} against
 * {@code <id>.execute-api.<region>.amazonaws.com} or a custom domain). The answer must differ: the
 * URL (RESPONSE_STREAM) takes a stream with the HTTP integration prelude, while an HTTP API invokes
 * the function plainly and would pass the prelude's bytes on verbatim (AWS_NOTES §1).
 */
record HttpEvent(APIGatewayV2HTTPEvent event, boolean viaFunctionUrl) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads the fields the proxy uses; anything else in the event is ignored.
   *
   * @throws IOException when the event is not a JSON object
   */
  static HttpEvent parse(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    if (root == null || !root.isObject()) {
      throw new IOException("the event is not a JSON object");
    }
    JsonNode context = root.path("requestContext");
    String domain = text(context.path("domainName"));
    Map<String, String> headers = new LinkedHashMap<>();
    root.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    APIGatewayV2HTTPEvent event =
        APIGatewayV2HTTPEvent.builder()
            .withVersion(text(root.path("version")))
            .withRawPath(text(root.path("rawPath")))
            .withRawQueryString(text(root.path("rawQueryString")))
            .withHeaders(headers)
            .withBody(text(root.path("body")))
            .withIsBase64Encoded(root.path("isBase64Encoded").asBoolean(false))
            .withRequestContext(
                APIGatewayV2HTTPEvent.RequestContext.builder()
                    .withDomainName(domain)
                    .withRequestId(text(context.path("requestId")))
                    .withHttp(
                        APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                            .withMethod(text(context.path("http").path("method")))
                            .withPath(text(context.path("http").path("path")))
                            .build())
                    .build())
            .build();
    return new HttpEvent(event, domain != null && domain.contains(".lambda-url."));
  }

  private static String text(JsonNode node) {
    return node.isValueNode() && !node.isNull() ? node.asText() : null;
  }
}
