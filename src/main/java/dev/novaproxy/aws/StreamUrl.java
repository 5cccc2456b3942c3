package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.lambda.model.Cors;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The stream URL: a Lambda function URL on the alias {@code live} with {@code InvokeMode
 * RESPONSE_STREAM}, so answers flow as Nova writes them and are not cut at API Gateway's 30 s.
 * {@code AuthType NONE}: the proxy's own client policy guards it, as it guards the HTTP API. Since
 * October 2025 a public URL needs two statements on the alias: {@code lambda:InvokeFunctionUrl}
 * with {@code FunctionUrlAuthType NONE}, and {@code lambda:InvokeFunction} with {@code
 * InvokedViaFunctionUrl} (without the second the URL answers 403).
 */
public final class StreamUrl {
  /** GET and POST only: Lambda answers the preflight itself, and OPTIONS is not a choice here. */
  static final List<String> CORS_METHODS = List.of("GET", "POST");

  /** What deploy wants: a URL with CORS for these origins, or (when not enabled) none at all. */
  public record Desired(String function, boolean enabled, List<String> allowedOrigins) {}

  /** The URL's configuration (null when there is none) and which of our statements exist. */
  public record Current(GetFunctionUrlConfigResponse config, Set<String> statements) {
    public Optional<String> url() {
      return config == null ? Optional.empty() : Optional.of(config.functionUrl());
    }
  }

  private final AwsClients aws;

  public StreamUrl(AwsClients aws) {
    this.aws = aws;
  }

  public Current read(ResourceNames names) {
    return read(names, AliasPolicy.read(aws, names.function()));
  }

  Current read(ResourceNames names, AliasPolicy policy) {
    GetFunctionUrlConfigResponse config;
    try {
      config =
          aws.lambda()
              .getFunctionUrlConfig(
                  r -> r.functionName(names.function()).qualifier(ResourceNames.ALIAS));
    } catch (ResourceNotFoundException e) {
      config = null;
    }
    Set<String> statements = new HashSet<>();
    for (String sid : List.of(names.urlPublicStatement(), names.urlInvokeStatement())) {
      policy.statement(sid).ifPresent(s -> statements.add(sid));
    }
    return new Current(config, Set.copyOf(statements));
  }

  public PlanStep plan(Desired want, Optional<Current> have, ResourceNames names) {
    String name = want.function() + ":" + ResourceNames.ALIAS;
    Current c = have.orElse(new Current(null, Set.of()));
    if (!want.enabled()) {
      return c.config() == null && c.statements().isEmpty()
          ? PlanStep.unchanged("stream-url", "none (--no-stream-url)")
          : new PlanStep(
              "stream-url",
              c.url().orElse(name),
              Action.DELETE,
              List.of("--no-stream-url: the URL and its two permissions"));
    }
    if (c.config() == null) {
      return PlanStep.create("stream-url", name + " (RESPONSE_STREAM, auth NONE)");
    }
    List<String> changes = new ArrayList<>();
    if (!InvokeMode.RESPONSE_STREAM.toString().equals(c.config().invokeModeAsString())) {
      changes.add("invoke mode " + c.config().invokeModeAsString() + " -> RESPONSE_STREAM");
    }
    if (!FunctionUrlAuthType.NONE.toString().equals(c.config().authTypeAsString())) {
      changes.add("auth " + c.config().authTypeAsString() + " -> NONE");
    }
    changes.addAll(corsChanges(want, c.config().cors()));
    for (String sid : List.of(names.urlPublicStatement(), names.urlInvokeStatement())) {
      if (!c.statements().contains(sid)) {
        changes.add("add permission " + sid);
      }
    }
    return PlanStep.updateIf("stream-url", c.config().functionUrl(), changes);
  }

  static List<String> corsChanges(Desired want, Cors have) {
    Cors w = cors(want);
    if (w == null) {
      return have == null || have.allowOrigins().isEmpty() ? List.of() : List.of("remove CORS");
    }
    if (have == null) {
      return List.of("CORS origins " + want.allowedOrigins());
    }
    List<String> changes = new ArrayList<>();
    if (!Set.copyOf(have.allowOrigins()).equals(Set.copyOf(w.allowOrigins()))) {
      changes.add("CORS origins " + have.allowOrigins() + " -> " + w.allowOrigins());
    }
    if (!lower(have.allowMethods()).equals(lower(w.allowMethods()))
        || !lower(have.allowHeaders()).equals(lower(w.allowHeaders()))
        || !lower(have.exposeHeaders()).equals(lower(w.exposeHeaders()))
        || !Objects.equals(have.maxAge(), w.maxAge())) {
      changes.add("CORS methods, headers or max age");
    }
    return changes;
  }

  /** Applies the planned step; returns the URL (null when there is none). */
  public String apply(Desired want, Optional<Current> have, PlanStep step, ResourceNames names) {
    Current c = have.orElse(new Current(null, Set.of()));
    if (!step.mutates()) {
      return c.url().orElse(null);
    }
    if (!want.enabled()) {
      delete(names);
      return null;
    }
    String url;
    boolean modeWrong =
        c.config() != null
            && !InvokeMode.RESPONSE_STREAM.toString().equals(c.config().invokeModeAsString());
    if (modeWrong) {
      // UpdateFunctionUrlConfig can change the invoke mode on AWS, but moto ignores it there;
      // deleting and creating works on both and keeps the same URL on AWS.
      deleteConfig(names);
    }
    if (c.config() == null || modeWrong) {
      url =
          aws.lambda()
              .createFunctionUrlConfig(
                  r ->
                      r.functionName(names.function())
                          .qualifier(ResourceNames.ALIAS)
                          .authType(FunctionUrlAuthType.NONE)
                          .invokeMode(InvokeMode.RESPONSE_STREAM)
                          .cors(cors(want)))
              .functionUrl();
    } else {
      url =
          aws.lambda()
              .updateFunctionUrlConfig(
                  r ->
                      r.functionName(names.function())
                          .qualifier(ResourceNames.ALIAS)
                          .authType(FunctionUrlAuthType.NONE)
                          .invokeMode(InvokeMode.RESPONSE_STREAM)
                          .cors(cors(want) == null ? Cors.builder().build() : cors(want)))
              .functionUrl();
    }
    if (!c.statements().contains(names.urlPublicStatement())) {
      aws.lambda()
          .addPermission(
              r ->
                  r.functionName(names.function())
                      .qualifier(ResourceNames.ALIAS)
                      .statementId(names.urlPublicStatement())
                      .action("lambda:InvokeFunctionUrl")
                      .principal("*")
                      .functionUrlAuthType(FunctionUrlAuthType.NONE));
    }
    if (!c.statements().contains(names.urlInvokeStatement())) {
      aws.lambda()
          .addPermission(
              r ->
                  r.functionName(names.function())
                      .qualifier(ResourceNames.ALIAS)
                      .statementId(names.urlInvokeStatement())
                      .action("lambda:InvokeFunction")
                      .principal("*")
                      .invokedViaFunctionUrl(true));
    }
    return url;
  }

  /** Removes the URL and its two statements; false when there was nothing to remove. */
  public boolean delete(ResourceNames names) {
    boolean removed = deleteConfig(names);
    for (String sid : List.of(names.urlPublicStatement(), names.urlInvokeStatement())) {
      try {
        aws.lambda()
            .removePermission(
                r ->
                    r.functionName(names.function())
                        .qualifier(ResourceNames.ALIAS)
                        .statementId(sid));
        removed = true;
      } catch (ResourceNotFoundException e) {
        // not there
      }
    }
    return removed;
  }

  private boolean deleteConfig(ResourceNames names) {
    try {
      aws.lambda()
          .deleteFunctionUrlConfig(
              r -> r.functionName(names.function()).qualifier(ResourceNames.ALIAS));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  private static Cors cors(Desired want) {
    if (want.allowedOrigins().isEmpty()) {
      return null;
    }
    return Cors.builder()
        .allowOrigins(want.allowedOrigins())
        .allowMethods(CORS_METHODS)
        .allowHeaders(HttpApi.CORS_HEADERS)
        .exposeHeaders(dev.novaproxy.proxy.Cors.EXPOSED_HEADERS)
        .maxAge(HttpApi.CORS_MAX_AGE_SECONDS)
        .build();
  }

  private static Set<String> lower(List<String> values) {
    Set<String> out = new HashSet<>();
    if (values != null) {
      values.forEach(v -> out.add(v.toLowerCase(Locale.ROOT)));
    }
    return out;
  }
}
