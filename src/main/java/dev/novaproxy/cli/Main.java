package dev.novaproxy.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The entry point. {@link #run} never exits the JVM, so tests capture output and exit code. */
public final class Main {
  /** Read once, when the common pool is made: so set first, before anything can make it. */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  /** Read once, when the JDK HttpClient is first used: so also set first. */
  static final String HTTP_CLIENT_BUFFER_SIZE = "jdk.httpclient.bufsize";

  static {
    // On one or two cores the common pool has one thread, and CompletableFuture then runs async
    // work on a new thread each time. The JDK HttpClient hands every sendAsync completion to that
    // executor, so serve, which sends to Nova that way, would start a thread per chat: two pool
    // threads instead (bench/serve-load: 504s at 5,000 streams and a p99 1 to 2 s worse without).
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null
        && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    // Each connection of the JDK HttpClient keeps a read buffer of this size for as long as it is
    // open, idle in the pool too: 16 KB by default. serve holds one to Nova per streaming chat, and
    // an event is a few hundred bytes. 4 KB, as nginx's proxy_buffer_size, took serve's live heap
    // mid-burst at 2,000 streams from 147 to 117 MB (bench/serve-load and jmap -histo:live).
    if (System.getProperty(HTTP_CLIENT_BUFFER_SIZE) == null) {
      System.setProperty(HTTP_CLIENT_BUFFER_SIZE, "4096");
    }
    ErrorHandler.register(AwsErrors::translate);
  }

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  public static int run(PrintStream out, PrintStream err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /**
   * As {@link #run(PrintStream, PrintStream, String...)} with this environment for the settings.
   */
  public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    try {
      CommandLine cl = commandLine(o, e, env);
      if (noColor(env) || java.util.Arrays.asList(args).contains("--no-color")) {
        // Decided before parsing, so that a usage error is plain too.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
      }
      return cl.execute(args);
    } finally {
      o.flush();
      e.flush();
    }
  }

  /** The configured command line: one place for the exit codes and the error handler. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, System.getenv());
  }

  /** The command line whose flag defaults come from {@code env} and the config file it names. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
    CommandLine cl = new CommandLine(new NovaproxyCommand());
    ConfigDefaults defaults = new ConfigDefaults(env);
    cl.setDefaultValueProvider(defaults);
    cl.setExecutionStrategy(parsed -> execute(parsed, defaults));
    versionEverywhere(cl, new VersionProvider());
    HelpLayout.applyTo(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    if (noColor(env)) {
      cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    }
    return cl;
  }

  /** Every command's -V prints the version, not only the top one's. */
  private static void versionEverywhere(CommandLine cl, VersionProvider version) {
    cl.getCommandSpec().versionProvider(version);
    cl.getSubcommands().values().forEach(sub -> versionEverywhere(sub, version));
  }

  /**
   * Help first, whatever the settings hold; then a bad value from the environment or the config
   * file, met while filling in defaults, stops the command before it runs.
   */
  private static int execute(CommandLine.ParseResult parsed, ConfigDefaults defaults) {
    Integer help = CommandLine.executeHelpRequest(parsed);
    if (help != null) {
      return help;
    }
    List<CommandLine> commands = parsed.asCommandLineList();
    boolean helpCommand = commands.stream().anyMatch(c -> c.getCommandSpec().helpCommand());
    if (!helpCommand) {
      try {
        defaults.check();
      } catch (CliException e) {
        throw new CommandLine.ExecutionException(
            commands.get(commands.size() - 1), e.getMessage(), e);
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  /** A usage mistake: one line naming the fix, then the exit code 2 (no wall of help text). */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText("novaproxy: " + ex.getMessage()).toString());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return ExitCodes.USAGE;
  }

  static boolean noColor() {
    return noColor(System.getenv());
  }

  /** https://no-color.org: any non-empty NO_COLOR turns colours off. */
  static boolean noColor(Map<String, String> env) {
    String v = env.get("NO_COLOR");
    return v != null && !v.isEmpty();
  }

  private Main() {}
}
