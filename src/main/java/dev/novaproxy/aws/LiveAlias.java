package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The alias {@code live} that both doors (the HTTP API's integration and the stream URL) invoke:
 * the version it points to, a canary (a second version that gets a share of the traffic through the
 * alias's routing configuration), and the versions that were live before, newest first.
 *
 * <p>That history is kept in the alias's own description, so that {@code rollback} works from any
 * machine and needs nothing but the alias: Lambda keeps no record of where an alias pointed.
 */
public final class LiveAlias {
  /** Lambda's limit on an alias's (and a version's) description. */
  static final int MAX_DESCRIPTION = 256;

  private static final String HISTORY_PREFIX = "novaproxy; previously live:";

  /**
   * The alias as Lambda holds it.
   *
   * @param arn the alias's ARN
   * @param version the version it points to
   * @param canaryVersion the version a canary sends a share of the traffic to, or null
   * @param canaryWeight that share, 0 to 1 (0 when there is no canary)
   * @param history the versions that were live before {@code version}, newest first
   */
  public record State(
      String arn, String version, String canaryVersion, double canaryWeight, List<String> history) {
    public State {
      history = List.copyOf(history);
    }

    public boolean canary() {
      return canaryVersion != null;
    }

    /** The canary's share as a whole percentage, as {@code deploy --canary} took it. */
    public int canaryPercent() {
      return (int) Math.round(canaryWeight * 100);
    }
  }

  private final AwsClients aws;

  public LiveAlias(AwsClients aws) {
    this.aws = aws;
  }

  /** The alias of {@code function}, or empty when it has none. */
  public Optional<State> read(String function) {
    try {
      var a = aws.lambda().getAlias(r -> r.functionName(function).name(ResourceNames.ALIAS));
      return Optional.of(
          stateOf(a.aliasArn(), a.functionVersion(), a.routingConfig(), a.description()));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Creates the alias at {@code version}, with no history; returns its ARN. */
  public String create(String function, String version) {
    return aws.lambda()
        .createAlias(
            r ->
                r.functionName(function)
                    .name(ResourceNames.ALIAS)
                    .functionVersion(version)
                    .description(describe(List.of())))
        .aliasArn();
  }

  /**
   * Points the alias at {@code version} with no canary, recording {@code history} (the versions
   * live before it, newest first); returns the new state.
   */
  public State point(String function, String version, List<String> history) {
    return update(function, version, Map.of(), history);
  }

  /**
   * Keeps {@code have} live and sends {@code percent}% of the traffic to {@code version}; the
   * history does not change, since what is live does not.
   */
  public State startCanary(String function, State have, String version, int percent) {
    return update(function, have.version(), Map.of(version, percent / 100.0), have.history());
  }

  private State update(
      String function, String version, Map<String, Double> weights, List<String> history) {
    // An empty map clears the routing configuration (Lambda's documented way to end a canary).
    var a =
        aws.lambda()
            .updateAlias(
                r ->
                    r.functionName(function)
                        .name(ResourceNames.ALIAS)
                        .functionVersion(version)
                        .routingConfig(c -> c.additionalVersionWeights(weights))
                        .description(describe(history)));
    return stateOf(a.aliasArn(), a.functionVersion(), a.routingConfig(), a.description());
  }

  /** {@code have}'s history with its live version pushed on top: what the next live keeps. */
  static List<String> pushed(State have) {
    List<String> h = new ArrayList<>();
    h.add(have.version());
    have.history().stream().filter(v -> !v.equals(have.version())).forEach(h::add);
    return h;
  }

  /** The history as the description holds it, dropping the oldest entries beyond Lambda's limit. */
  static String describe(List<String> history) {
    StringBuilder s = new StringBuilder(HISTORY_PREFIX);
    for (String v : history) {
      if (s.length() + 1 + v.length() > MAX_DESCRIPTION) {
        break;
      }
      s.append(' ').append(v);
    }
    return s.toString();
  }

  /** The history a description holds; empty for one written by hand or before novaproxy kept it. */
  static List<String> history(String description) {
    if (description == null || !description.startsWith(HISTORY_PREFIX)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String v : description.substring(HISTORY_PREFIX.length()).trim().split("\\s+")) {
      if (v.matches("[0-9]+")) {
        out.add(v);
      }
    }
    return out;
  }

  private static State stateOf(
      String arn, String version, AliasRoutingConfiguration routing, String description) {
    String canary = null;
    double weight = 0;
    if (routing != null && routing.additionalVersionWeights() != null) {
      for (var e : routing.additionalVersionWeights().entrySet()) {
        if (e.getValue() != null && e.getValue() > 0) {
          canary = e.getKey();
          weight = e.getValue();
        }
      }
    }
    return new State(arn, version, canary, weight, history(description));
  }
}
