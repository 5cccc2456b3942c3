package dev.novaproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.config.Setting;
import dev.novaproxy.config.Settings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    header = "Print every setting, its value and where it came from.",
    description = {
      "Lists each setting with its effective value and source: flag (--region, --profile,",
      "--endpoint-url, --name given here), env (the variable named), profile (the AWS profile's",
      "region), file (the config file), default, or none (unset, no default).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  novaproxy config show", "  AWS_REGION=eu-west-1 novaproxy config show -o json"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:Shown.", "1:The config file cannot be read.", "2:Usage error."})
final class ConfigShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    Settings settings = ConfigCommand.settings(spec);
    List<Settings.Resolved> rows = new ArrayList<>();
    for (Setting s : Settings.ALL) {
      rows.add(resolve(settings, s));
    }
    PrintWriter out = spec.commandLine().getOut();
    var path = settings.file().path();
    List<String> unreadable = new ArrayList<>();
    var saved = new SavedDeployments(settings.file()).all(unreadable::add);
    if (global.json()) {
      ObjectNode o =
          Json.object()
              .put("configFile", path.toString())
              .put("exists", java.nio.file.Files.exists(path));
      ObjectNode values = o.putObject("settings");
      for (var r : rows) {
        ObjectNode v = values.putObject(r.setting().key());
        v.put("value", shown(r)).put("source", r.source().label()).put("from", r.origin());
        v.put("option", r.setting().option());
        r.setting().env().forEach(v.putArray("env")::add);
      }
      ObjectNode deployments = o.putObject(SavedDeployments.KEY);
      saved.forEach(
          (where, d) -> {
            ObjectNode one =
                deployments.with(where.account()).with(where.region()).putObject(where.name());
            one.put("pending", d.pending())
                .put("savedAt", d.savedAt())
                .put("secretName", d.secretName())
                .put("canaryPercent", d.canaryPercent());
            ObjectNode settingsOf = one.putObject("settings");
            d.settings().describe().forEach(settingsOf::put);
          });
      Json.print(out, o);
      return ExitCodes.OK;
    }
    out.println(
        "Config file: " + path + (java.nio.file.Files.exists(path) ? "" : " (not created yet)"));
    out.println(String.format("%-18s %-34s %s", "SETTING", "VALUE", "SOURCE"));
    for (var r : rows) {
      String source =
          r.source().label()
              + (r.origin() != null && r.source() != Settings.Source.file ? " " + r.origin() : "");
      out.println(
          String.format(
              "%-18s %-34s %s", r.setting().key(), r.value() == null ? "-" : shown(r), source));
    }
    saved.forEach(
        (where, d) -> {
          out.println();
          out.println(
              "Deployment "
                  + where.name()
                  + " in "
                  + where.region()
                  + " (account "
                  + where.account()
                  + ")"
                  + (d.pending()
                      ? ", an unfinished deploy of " + d.savedAt() + " (deploy again to finish it):"
                      : ", as last deployed from here on " + d.savedAt() + ":"));
          d.settings().describe().forEach((k, v) -> out.println(String.format("  %-14s %s", k, v)));
          out.println("  " + String.format("%-14s %s", "secretName", d.secretName()));
          if (d.canaryPercent() != null) {
            out.println(
                "  "
                    + String.format(
                        "%-14s %s", "canary", d.canaryPercent() + "% to the new version"));
          }
        });
    unreadable.forEach(problem -> out.println("\n" + problem));
    if (!saved.isEmpty()) {
      out.println();
      out.println("deploy starts from what is deployed; flags change it (see 'deploy --help').");
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** A flag given to this command wins; otherwise the environment, profile, file, default. */
  private Settings.Resolved resolve(Settings settings, Setting s) {
    var parsed = spec.commandLine().getParseResult();
    if (parsed.hasMatchedOption(s.option())) {
      return new Settings.Resolved(
          s,
          parsed.matchedOptionValue(s.option(), (String) null),
          Settings.Source.flag,
          s.option());
    }
    return settings.resolve(s, parsed.matchedOptionValue("--profile", (String) null));
  }

  /** A URL's user name and password (from the environment, say) are never printed. */
  private static String shown(Settings.Resolved r) {
    return r.value() != null && r.setting().key().equals("upstreamUrl")
        ? dev.novaproxy.proxy.UpstreamUrl.redacted(r.value())
        : r.value();
  }
}
