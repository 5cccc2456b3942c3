package dev.novaproxy.cli;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.config.Checks;
import dev.novaproxy.limits.LimitsSettings;
import dev.novaproxy.limits.LimitsStore;
import dev.novaproxy.limits.LocalFileStore;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.local.Capacity;
import dev.novaproxy.local.LocalProxyServer;
import dev.novaproxy.metrics.PrometheusMetrics;
import dev.novaproxy.proxy.AccessLog;
import dev.novaproxy.proxy.ProxyHandler;
import dev.novaproxy.proxy.ProxySettings;
import dev.novaproxy.proxy.SecretSource;
import dev.novaproxy.proxy.UpstreamUrl;
import dev.novaproxy.secrets.SecretsManagerSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
      "Built for many long streams at once: up to --max-in-flight chats stream together,",
      "each read from Nova only as fast as its client takes it.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy serve                         ask for the key; 127.0.0.1:8080",
      "  novaproxy serve --secret-name backend/NovaApiKey --region us-east-1",
      "  novaproxy serve --port 9000 --allow-origin http://localhost:5173",
      "  novaproxy serve --port 0 -o json        first line: {\"event\":\"listening\",...}",
      "  novaproxy serve --anonymous-rpm 10 --daily-token-budget 200000",
      "  novaproxy serve --keys-file ./keys.json --anonymous deny",
      "  novaproxy serve --max-in-flight 2000 --write-timeout 10",
      "  curl -s localhost:8080/chat -H 'content-type: application/json' \\",
      "       -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Only for --help and --version: serve runs until stopped.",
      "1:Could not start (the port is in use, the secret unreadable).",
      "2:Usage error (a bad option, port or host; no key source).",
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
  String upstreamUrl; // a String, not a URI: picocli's own error would echo a password in it

  @Option(
      names = "--allow-upstream-host",
      paramLabel = "HOST",
      split = ",",
      description = {
        "Allow --upstream-url to name this host, which is not the Nova API: the Nova key is",
        "sent to it. Repeat for more. Default: NOVA_UPSTREAM_ALLOWED_HOSTS, else none",
        "(only " + UpstreamUrl.NOVA_API_HOST + " and this machine)."
      })
  List<String> allowedUpstreamHosts = new ArrayList<>();

  @Option(
      names = "--secret-name",
      paramLabel = "NAME",
      description = "Read the key from this Secrets Manager secret (when NOVA_API_KEY is not set).")
  String secretName;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Total time to wait for Nova (default: 28); connecting to it takes at most "
              + CONNECT_TIMEOUT_SECONDS
              + " of them.")
  Integer timeoutSeconds;

  @Option(
      names = "--log-content",
      description = "Also log messages and answers (off by default: they may be private).")
  boolean logContent;

  @Option(names = "--quiet", description = "No request log lines.")
  boolean quiet;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      description =
          "Chats answered at once (default: "
              + Capacity.DEFAULT_MAX_IN_FLIGHT
              + "). Past it a new chat gets 503 with Retry-After at once; /health and /v1/models"
              + " are always answered. Each streaming chat holds a thread and two connections.")
  int maxInFlight = Capacity.DEFAULT_MAX_IN_FLIGHT;

  @Option(
      names = "--write-timeout",
      paramLabel = "SECONDS",
      description =
          "Drop a client that takes nothing of its answer for this long, and cancel its request"
              + " to Nova (default: 30). Also how long an idle connection stays open.")
  int writeTimeoutSeconds = 30;

  @Option(
      names = "--keys-file",
      paramLabel = "FILE",
      description =
          "Client keys and usage counters in this file (default, when a limit is given:"
              + " $XDG_STATE_HOME/novaproxy/keys.json); turns client keys on.")
  Path keysFile;

  @Option(
      names = "--keys-table",
      paramLabel = "TABLE",
      description =
          "Client keys and usage counters in this DynamoDB table instead (a deployment's is"
              + " NAME-keys), read with the usual AWS region, profile and endpoint; turns client"
              + " keys on.")
  String keysTable;

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
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    InetAddress address = listenAddress();
    Capacity capacity = capacity();
    warn(err, heapWarning(capacity, Runtime.getRuntime().maxMemory()));
    ProxySettings settings = settings();
    LimitsStore limits = limitsStore(System.getenv());
    int keys = limits == null ? 0 : checkedKeyCount(limits);
    SecretSource key = keySource();
    if (UpstreamUrl.isExplicitlyAllowedHost(settings.upstreamUrl())) {
      warn(err, UpstreamUrl.warning(settings.upstreamUrl()));
    }
    PrometheusMetrics metrics = new PrometheusMetrics(); // GET /metrics, also when --quiet
    AccessLog log =
        (quiet
                ? AccessLog.discarding()
                : new AccessLog(
                    line -> {
                      synchronized (err) {
                        err.println(line);
                        err.flush();
                      }
                    },
                    logContent))
            .observedBy(metrics);
    boolean checksWait = checksWaitOnNetwork(limits);
    LocalProxyServer server;
    try {
      server =
          LocalProxyServer.start(
              new ProxyHandler(settings, key, log, limits, upstreamClients(checksWait), metrics),
              address.getHostAddress(),
              port,
              capacity,
              checksWait ? LocalProxyServer.threadEach(capacity) : LocalProxyServer.FRONT_THREADS);
    } catch (BindException e) {
      throw cannotBind(e);
    } catch (IOException e) {
      throw CliException.failure(
          "Cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              announceDraining(err, server.inFlight());
              server.shutdown(DRAIN_GRACE);
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
      } else if (limits != null) {
        listening.put("keysTable", keysTable).put("keys", keys);
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

  /**
   * HTTP clients to Nova, one I/O thread each. One while a few threads start requests: two split
   * each burst's connections between them, and cost a sixth more CPU in a burst of 2,000 streams
   * (docs/benchmarks.md). With a thread for each chat, a second is taken once hundreds of exchanges
   * wait for Nova's headers: 5,000 streams starting on hundreds of runnable threads left a lone
   * client's I/O thread so little of two cores that some connects timed out.
   */
  private static int upstreamClients(boolean checksWait) {
    return checksWait ? Math.max(2, Runtime.getRuntime().availableProcessors()) : 1;
  }

  /**
   * Whether checking a chat's client key and limits is a call to DynamoDB. Then a thread waits for
   * each such call, so chats start on a thread each; otherwise on a few, which never wait.
   */
  private static boolean checksWaitOnNetwork(LimitsStore limits) {
    return limits != null && !(limits instanceof LocalFileStore);
  }

  /** How long requests in flight may take to finish once serve is told to stop. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(30);

  /**
   * One line on stderr as serve starts to stop, so that whoever stopped it knows what it awaits.
   */
  private void announceDraining(PrintWriter err, int inFlight) {
    synchronized (err) {
      if (global.json()) {
        Json.printLine(
            err,
            Json.object()
                .put("event", "draining")
                .put("inFlight", inFlight)
                .put("graceSeconds", DRAIN_GRACE.toSeconds()));
      } else {
        err.println(
            "draining: "
                + inFlight
                + (inFlight == 1 ? " request" : " requests")
                + " in flight, up to "
                + DRAIN_GRACE.toSeconds()
                + " s");
      }
      err.flush();
    }
  }

  /**
   * The address to listen on, checked before the key is asked for: a port out of range, or a host
   * that does not resolve or is not this machine's, is a usage error naming where it came from.
   */
  private InetAddress listenAddress() {
    String badPort = Checks.PORT.problem(Integer.toString(port));
    if (badPort != null) {
      throw CliException.usage(ConfigDefaults.origin(spec, "--port") + ": " + badPort + ".");
    }
    String from = ConfigDefaults.origin(spec, "--host");
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw CliException.usage(from + ": '" + host + "' cannot be resolved; " + HOST_FIX);
    }
    if (!isThisMachine(address)) {
      throw CliException.usage(
          from + ": '" + host + "' is not an address of this machine; " + HOST_FIX);
    }
    return address;
  }

  private static final String HOST_FIX =
      "use 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of this machine's"
          + " addresses.";

  private static boolean isThisMachine(InetAddress address) {
    try {
      return address.isAnyLocalAddress()
          || address.isLoopbackAddress()
          || NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return true; // cannot tell: binding will
    }
  }

  /** Prints a start-up warning at once (serve then runs on); null is no warning. */
  private static void warn(PrintWriter err, String warning) {
    if (warning != null) {
      err.println(warning);
      err.flush();
    }
  }

  /**
   * A warning when this JVM's heap cannot hold {@code capacity}'s chats streaming at once (they
   * would then slow every stream, then fail), naming the option that gives it more; else null.
   */
  static String heapWarning(Capacity capacity, long maxHeap) {
    long needed = capacity.heapNeeded();
    if (needed <= maxHeap) {
      return null;
    }
    long mb = 1024 * 1024;
    long suggested = (needed + 256 * mb - 1) / (256 * mb) * 256; // whole quarter gigabytes
    return "warning: "
        + capacity.maxInFlight()
        + " chats in flight (--max-in-flight) need about "
        + (needed + mb - 1) / mb
        + " MB of heap and this JVM has "
        + maxHeap / mb
        + " MB; give it more with NOVAPROXY_JAVA_OPTS=-Xmx"
        + suggested
        + "m, or lower --max-in-flight";
  }

  /**
   * The capacity flags, checked before the key is asked for; a bad one names where it came from.
   */
  private Capacity capacity() {
    check("--max-in-flight", Checks.MAX_IN_FLIGHT, maxInFlight);
    check("--write-timeout", Checks.WRITE_TIMEOUT, writeTimeoutSeconds);
    return new Capacity(maxInFlight, Duration.ofSeconds(writeTimeoutSeconds));
  }

  private void check(String option, dev.novaproxy.config.Check check, int value) {
    String problem = check.problem(Integer.toString(value));
    if (problem != null) {
      throw CliException.usage(ConfigDefaults.origin(spec, option) + ": " + problem + ".");
    }
  }

  /** The address was checked, so a failed bind is the port: taken, or reserved. */
  private CliException cannotBind(BindException e) {
    String why = String.valueOf(e.getMessage());
    if (why.contains("ermission")) {
      return CliException.failure(
          "port " + port + " is reserved for the administrator; pick one above 1023 with --port.",
          e);
    }
    if (why.contains("in use")) {
      return CliException.failure("port " + port + " is in use; pick another with --port.", e);
    }
    return CliException.failure(
        "Cannot listen on " + host + ":" + port + " (" + why + "); pick another with --port.", e);
  }

  /**
   * How long {@code serve} waits for a connection to Nova, where the function waits 5 s. The JDK
   * client's connect timer counts, besides the network, the time its one I/O thread takes to get to
   * a connect the kernel has finished; with thousands of streams starting at once on a machine
   * short of CPU that took more than 5 s, and some of a burst of 5,000 were answered 504 though
   * Nova had taken their connections (docs/benchmarks.md, "The connect timeout").
   */
  static final int CONNECT_TIMEOUT_SECONDS = 10;

  ProxySettings settings() {
    ProxySettings s =
        policy
            .applyTo(ProxySettings.defaults())
            .withConnectTimeout(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS))
            .withLogContent(logContent)
            .withLimits(limitsSettings());
    try {
      // The flag wins over the environment, which the Lambda reads the same way.
      s =
          allowedUpstreamHosts.isEmpty()
              ? s.withAllowedUpstreamHosts(
                  ProxySettings.allowedUpstreamHostsFromEnvironment(System.getenv()))
              : s.withAllowedUpstreamHosts(allowedUpstreamHosts);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--allow-upstream-host: " + e.getMessage());
    }
    // NOVA_UPSTREAM_URL and the config file arrive through the flag's default (ConfigDefaults).
    if (upstreamUrl != null) {
      try {
        s = s.withUpstream(UpstreamUrl.parse(upstreamUrl, s.allowedUpstreamHosts()));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
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
        || keysTable != null
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
    return new LimitsSettings(
        keysTable, allow, anonymousRpm, anonymousTokensPerDay, dailyTokenBudget);
  }

  private static void positive(String flag, Number n) {
    if (n != null && n.longValue() < 1) {
      throw CliException.usage(flag + " takes a whole number of at least 1, not " + n + ".");
    }
  }

  /**
   * Where keys and counters are kept, or null when no flag asks for limits (serve then runs as it
   * did before keys, and creates no file): a deployment's DynamoDB table with {@code --keys-table}
   * (so that serve enforces the same keys as the deployment), else the local file.
   */
  LimitsStore limitsStore(Map<String, String> env) {
    if (!limitsRequested()) {
      return null;
    }
    if (keysTable != null) {
      if (keysFile != null) {
        throw CliException.usage("--keys-table and --keys-file name two stores; give one.");
      }
      // Open for as long as serve runs: the process's end closes it.
      AwsClients aws = new AwsClients(AwsContext.resolve(global, null).location());
      return new DynamoLimitsStore(aws.dynamodb(), keysTable.strip());
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
      return SecretSource.fixed(
          env.strip(), "the operator must set NOVA_API_KEY to a valid key and restart serve");
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
      return SecretSource.fixed(key, "the operator must restart serve with a valid key");
    }
    throw CliException.usage(
        "No Nova API key: set NOVA_API_KEY, pass --secret-name NAME, or run on a terminal to be asked.");
  }
}
