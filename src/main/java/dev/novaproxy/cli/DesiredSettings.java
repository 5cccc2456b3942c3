package dev.novaproxy.cli;

import dev.novaproxy.aws.DeploymentSettings;
import dev.novaproxy.proxy.UpstreamUrl;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The settings a deploy applies, and what it started from: the deployed function's settings (so a
 * plain deploy from any machine changes nothing), or those of an unfinished deploy from this
 * machine (so re-running it finishes what was asked), or the ones last deployed from here when
 * nothing is deployed, or the defaults. Flags, the environment and the config file's standing
 * values change only what they name.
 *
 * @param deployed what the function runs with now; empty when nothing is deployed
 * @param startedFrom where the starting point came from, for the plan
 * @param desired what deploy will make
 */
record DesiredSettings(
    Optional<DeploymentSettings> deployed, String startedFrom, DeploymentSettings desired) {

  static DesiredSettings resolve(
      Optional<DeploymentSettings> deployed,
      Optional<SavedDeployments.Saved> saved,
      String configFile,
      UnaryOperator<DeploymentSettings> flags) {
    DeploymentSettings base;
    String from;
    if (saved.isPresent() && saved.get().pending()) {
      base = saved.get().settings();
      from = "the unfinished deploy of " + saved.get().savedAt() + " (saved in " + configFile + ")";
    } else if (deployed.isPresent()) {
      base = deployed.get();
      from = "the deployed function";
    } else if (saved.isPresent()) {
      base = saved.get().settings();
      from = "the last deploy from this machine (saved in " + configFile + ")";
    } else {
      base = DeploymentSettings.defaults();
      from = "the defaults";
    }
    return new DesiredSettings(deployed, from, flags.apply(base));
  }

  /** What changes against what is deployed (every setting is new when nothing is). */
  List<String> changes() {
    return desired.changesFrom(deployed.orElse(DeploymentSettings.defaults()));
  }

  /**
   * Changes that open the proxy to more callers or more spend, and settings that cannot work in
   * AWS: printed as warnings.
   */
  List<String> warnings() {
    List<String> w =
        new ArrayList<>(desired.openingsFrom(deployed.orElse(DeploymentSettings.defaults())));
    boolean openToAnyone =
        !desired.proxy().clientAuth().enabled()
            && (!desired.keys() || desired.limits().anonymous());
    if (deployed.isEmpty() && openToAnyone && desired.limits().dailyTokenBudget() == null) {
      w.add(
          "a new deployment open to anyone who has its URLs, with no daily budget"
              + " (--daily-token-budget N caps the spend; --anonymous deny lets only client keys"
              + " in)");
    }
    URI upstream = desired.proxy().upstreamUrl();
    if (!UpstreamUrl.NOVA_API_HOST.equalsIgnoreCase(upstream.getHost())
        && !UpstreamUrl.isExplicitlyAllowedHost(upstream)) {
      w.add(
          "the upstream URL "
              + UpstreamUrl.redacted(upstream.toString())
              + " is this machine: a function in AWS cannot reach it");
    }
    return w;
  }

  /** The deployed value of a setting when it differs from the desired one, else empty. */
  Optional<String> wasIfChanged(String key) {
    String now = desired.describe().get(key);
    String was = deployed.orElse(DeploymentSettings.defaults()).describe().get(key);
    return was == null || was.equals(now) ? Optional.empty() : Optional.of(was);
  }
}
