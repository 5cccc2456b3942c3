package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.proxy.UpstreamUrl;
import dev.novaproxy.secrets.SecretsManagerSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    headerHeading = "",
    header = "Run the proxy on this machine.",
    description = {
      "Runs the same proxy as the deployed Lambda, on this machine: POST /chat and",
      "/v1/chat/completions, GET /v1/models and /health. Streams answers as they arrive.",
      "The Nova key comes from NOVA_API_KEY, else from Secrets Manager with --secret-name,",
      "else from a hidden prompt. One JSON log line per request goes to stderr.",
      "With --keys-file or a limit, client keys and usage limits apply (kept in a local",
      "file); without, it runs as before.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy serve                                  ask for the key, listen on 127.0.0.1:8080",
      "  novaproxy serve --secret-name backend/NovaApiKey --region us-east-1",
      "  novaproxy serve --port 9000 --allow-origin http://localhost:5173 --max-tokens-cap 1024",
      "  novaproxy serve --port 0 -o json                 first line: {\"event\":\"listening\",\"url\":...}",
      "  novaproxy serve --anonymous-rpm 10 --daily-token-budget 200000",
      "  novaproxy serve --keys-file ./keys.json --anonymous deny",
      "  curl -s localhost:8080/chat -H 'content-type: application/json' \\",
      "       -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Only for --help and --version: serve runs until stopped.",
      "1:Could not start (port taken, the secret unreadable).",
      "2:Usage error (a bad option, no key source).",
      "130:Stopped by Ctrl-C (143 for SIGTERM), after requests in flight finished."
    })
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;
  @Mixin PolicyOptions policy;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: 127.0.0.1).")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free one (default: 8080).")
  int port = 8080;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description = "The Nova API base URL (default: " + "https://api.nova.amazon.com/v1" + ").")
  URI upstreamUrl;

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "Read the key from this Secrets Manager secret (when NOVA_API_KEY is not set).")
  String secretName;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Total time to wait for Nova (default: 28).")
  Integer timeoutSeconds;

  @Option(
      names = "--log-content",
      description = "Also log messages and answers (off by default: they may be private).")
  boolean logContent;

  @Option(names = "--quiet", description = "No request log lines.")
  boolean quiet;

  @Option(
      names = "--keys-file",
      paramLabel = "FILE",
      description =
          "Client keys and usage counters in this file (default, when a limit is given:"
              + " $XDG_STATE_HOME/novaproxy/keys.json); turns client keys on.")
  Path keysFile;

  @Option(
      names = "--anonymous",
      paramLabel = "allow|deny",
      description =
          "Whether callers without a client key are served (default: allow, limited per source"
              + " address by the two options below).")
  String anonymous;

  @Option(
      names = "--anonymous-rpm",
      paramLabel = "N",
      description = "Requests per minute from each address without a client key.")
  Integer anonymousRpm;

  @Option(
      names = "--anonymous-tokens-per-day",
      paramLabel = "N",
      description = "Tokens per UTC day from each address without a client key.")
  Long anonymousTokensPerDay;

  @Option(
      names = "--daily-token-budget",
      paramLabel = "N",
      description = "Tokens per UTC day for everyone together; past it every request gets 429.")
  Long dailyTokenBudget;

  @Override
  public Integer call() throws Exception {
    ProxySettings settings = settings();
    LimitsStore limits = limitsStore(System.getenv());
    int keys = limits == null ? 0 : checkedKeyCount(limits);
    SecretSource key = keySource();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AccessLog log =
        quiet
            ? AccessLog.discarding()
            : new AccessLog(
                line -> {
                  synchronized (err) {
                    err.println(line);
                    err.flush();
                  }
                },
                logContent);
    LocalProxyServer server;
    try {
      server = LocalProxyServer.start(new ProxyHandler(settings, key, log, limits), host, port);
    } catch (BindException e) {
      throw CliException.failure(
          "Cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); choose another with --port.",
          e);
    } catch (IOException e) {
      throw CliException.failure(
          "Cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.shutdown(Duration.ofSeconds(30));
              stopped.countDown();
            },
            "novaproxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (global.json()) {
      // One line, so that a supervisor or a test can read the URL as soon as it is there.
      var listening =
          Json.object()
              .put("event", "listening")
              .put("url", server.baseUrl().toString())
              .put("chatUrl", server.baseUrl() + "/chat")
              .put("version", dev.novaproxy.proxy.Version.current());
      if (limits instanceof LocalFileStore file) {
        listening.put("keysFile", file.file().toString()).put("keys", keys);
      }
      Json.printLine(out, listening);
    } else {
      out.println(
          "novaproxy "
              + dev.novaproxy.proxy.Version.current()
              + " listening on "
              + server.baseUrl());
      out.println(
          "  POST " + server.baseUrl() + "/chat   (Ctrl-C stops; requests in flight finish first)");
      if (limits != null) {
        out.println("  " + limitsLine(settings.limits(), limits, keys));
      }
    }
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }

  ProxySettings settings() {
    ProxySettings s =
        policy
            .applyTo(ProxySettings.defaults())
            .withLogContent(logContent)
            .withLimits(limitsSettings());
    // NOVA_UPSTREAM_URL and the config file arrive through the flag's default (ConfigDefaults).
    URI upstream = upstreamUrl;
    if (upstream != null) {
      try {
        upstream = UpstreamUrl.parse(upstream.toString());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
      s = s.withUpstream(upstream);
    }
    if (timeoutSeconds != null) {
      if (timeoutSeconds < 1 || timeoutSeconds > 900) {
        throw CliException.usage("--timeout must be between 1 and 900 seconds.");
      }
      s = s.withTotalTimeout(Duration.ofSeconds(timeoutSeconds));
    }
    return s;
  }

  /** Whether any flag asks for client keys or limits. */
  boolean limitsRequested() {
    return keysFile != null
        || anonymous != null
        || anonymousRpm != null
        || anonymousTokensPerDay != null
        || dailyTokenBudget != null;
  }

  /** The limits the flags give; none when no flag asks for them. */
  LimitsSettings limitsSettings() {
    if (anonymous != null && !anonymous.equals("allow") && !anonymous.equals("deny")) {
      throw CliException.usage("--anonymous takes allow or deny, not '" + anonymous + "'.");
    }
    boolean allow = !"deny".equals(anonymous);
    if (!allow && (anonymousRpm != null || anonymousTokensPerDay != null)) {
      throw CliException.usage(
          "--anonymous deny refuses callers without a key, so --anonymous-rpm and"
              + " --anonymous-tokens-per-day have nothing to limit; give one or the other.");
    }
    positive("--anonymous-rpm", anonymousRpm);
    positive("--anonymous-tokens-per-day", anonymousTokensPerDay);
    positive("--daily-token-budget", dailyTokenBudget);
    return new LimitsSettings(null, allow, anonymousRpm, anonymousTokensPerDay, dailyTokenBudget);
  }

  private static void positive(String flag, Number n) {
    if (n != null && n.longValue() < 1) {
      throw CliException.usage(flag + " takes a whole number of at least 1, not " + n + ".");
    }
  }

  /**
   * Where keys and counters are kept, or null when no flag asks for limits (serve then runs as it
   * did before keys, and creates no file). The local file; a {@code --keys-table} (DynamoDB, with
   * the usual AWS settings) would be chosen here.
   */
  LimitsStore limitsStore(Map<String, String> env) {
    if (!limitsRequested()) {
      return null;
    }
    return new LocalFileStore(keysFile != null ? keysFile : LocalFileStore.defaultPath(env));
  }

  /** The number of keys, reading the store once so that a broken one stops serve at start. */
  private static int checkedKeyCount(LimitsStore store) {
    try {
      return store.listKeys().size();
    } catch (LimitsStore.StoreUnavailable e) {
      throw CliException.failure(e.getMessage(), e);
    }
  }

  private static String limitsLine(LimitsSettings s, LimitsStore store, int keys) {
    StringBuilder line = new StringBuilder("client keys: ").append(keys);
    if (store instanceof LocalFileStore file) {
      line.append(" in ").append(file.file());
    }
    line.append("; without a key: ").append(s.anonymous() ? "allowed" : "refused");
    if (s.anonymousRpm() != null) {
      line.append(", ").append(s.anonymousRpm()).append(" requests/min");
    }
    if (s.anonymousTokensPerDay() != null) {
      line.append(", ").append(s.anonymousTokensPerDay()).append(" tokens/day");
    }
    if (s.anonymousRpm() != null || s.anonymousTokensPerDay() != null) {
      line.append(" per address");
    }
    if (s.dailyTokenBudget() != null) {
      line.append("; daily budget: ").append(s.dailyTokenBudget()).append(" tokens");
    }
    return line.toString();
  }

  private SecretSource keySource() {
    String env = System.getenv("NOVA_API_KEY");
    if (env != null && !env.isBlank()) {
      String key = env.strip();
      return () -> key;
    }
    if (secretName != null) {
      // Region, profile and endpoint resolved the same way as for setup and deploy.
      AwsContext aws = AwsContext.resolve(global, secretName);
      return new SecretsManagerSource(
          aws.secretName(), () -> new AwsClients(aws.location()).secrets());
    }
    if (HiddenInput.available()) {
      String key =
          HiddenInput.read(
              "Nova API key (input hidden): ", "set NOVA_API_KEY or pass --secret-name");
      if (key.isEmpty()) {
        throw CliException.usage("No key was entered; set NOVA_API_KEY or pass --secret-name.");
      }
      return () -> key;
    }
    throw CliException.usage(
        "No Nova API key: set NOVA_API_KEY, pass --secret-name NAME, or run on a terminal to be asked.");
  }
}
