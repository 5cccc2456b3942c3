package dev.novaproxy.bench;

import dev.novaproxy.aws.AwsClients;
import dev.novaproxy.aws.AwsLocation;
import dev.novaproxy.aws.Backoff;
import dev.novaproxy.aws.KeysTable;
import dev.novaproxy.aws.PlanStep;
import dev.novaproxy.aws.ResourceNames;
import dev.novaproxy.lambda.LambdaZip;
import dev.novaproxy.lambda.LoopUnderTest;
import dev.novaproxy.limits.ClientKey;
import dev.novaproxy.limits.dynamo.DynamoLimitsStore;
import dev.novaproxy.limits.dynamo.SerialMoto;
import dev.novaproxy.testing.FakeNova;
import dev.novaproxy.testing.FakeRuntimeApi;
import dev.novaproxy.testing.MotoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Benchmark: the function's peak resident memory (VmHWM) and its cold start at a Lambda memory
 * size. Each run is a fresh JVM started the way the {@code java21} runtime starts it: the wrapper
 * from the unpacked zip, given the runtime's JVM options for that size, exec'ing the runtime loop,
 * which reads the Nova key from Secrets Manager and checks a client key against the DynamoDB keys
 * table (both in moto, serial, on loopback), answering events from the Runtime API stand-in with
 * answers from the loopback Nova. Prints figures; asserts nothing but that every answer arrived.
 * Run with {@code bench/lambda-memory}.
 *
 * <p>The JVM options are the runtime's for a memory size M: heap 85 % of M, metaspace 10 %, code
 * cache 5 % (the values Lambda passes, e.g. {@code -XX:MaxHeapSize=222823k
 * -XX:MaxMetaspaceSize=26214k -XX:ReservedCodeCacheSize=13107k} at 256 MB, seen in
 * DataDog/datadog-lambda-extension#117), serial GC, tiered compilation stopping at C1 (the java17+
 * runtimes' default, docs.aws.amazon.com/lambda/latest/dg/java-customization.html), class-data
 * sharing. Lambda's own CDS archive covers its runtime jars; here {@code -Xshare:auto} maps the
 * JDK's default archive.
 *
 * <p>The memory: a function's JVM sees only its memory size (Lambda runs it in a micro-VM of that
 * size), which sets its initial heap (1/64 of it) and young generation; on a machine with 24 GB the
 * same options would start with a 377 MB heap. So each function runs in a memory cgroup (v1) of its
 * size, a child of this process's own: the JVM's container support reads the limit as its memory,
 * and going over it is fatal, as on Lambda. Without the right to make one (root), {@code
 * -XX:MaxRAM} gives the JVM the size instead, with no limit enforced, and the output says so.
 *
 * <p>The CPU share: Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB
 * (docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). Cold starts are timed inside a
 * cgroup (v1) CPU quota of M / 1769 of one CPU per 100 ms period, when this process may create one
 * under /sys/fs/cgroup/cpu; otherwise they are timed without a quota and say so.
 */
public final class LambdaMemory {
  private static final String AWS_MAIN =
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String HANDLER = "dev.novaproxy.lambda.LambdaHandler::handleRequest";
  private static final String NOVA_KEY = "sk-bench-memory-not-secret";
  private static final String TABLE = "bench-memory-keys";
  private static final Duration FUNCTION_TIMEOUT = Duration.ofMinutes(10);
  private static final Path CGROUP_CPU = Path.of("/sys/fs/cgroup/cpu");
  private static final Path CGROUP_MEMORY = Path.of("/sys/fs/cgroup/memory");

  private final Path task;
  private final Path runtimeJar;
  private final FakeNova nova;
  private final SerialMoto moto;
  private final String clientKey;

  private LambdaMemory(
      Path task, Path runtimeJar, FakeNova nova, SerialMoto moto, String clientKey) {
    this.task = task;
    this.runtimeJar = runtimeJar;
    this.nova = nova;
    this.moto = moto;
    this.clientKey = clientKey;
  }

  /** Args: ZIP RUNS [JAVA_HOME...] (the JDKs to run the function on; default: this one). */
  public static void main(String[] args) throws Exception {
    Path zip = Path.of(args.length > 0 ? args[0] : "dist/lib/novaproxy-lambda.zip");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String> javas = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      javas.add(Path.of(args[i], "bin", "java").toString());
    }
    if (javas.isEmpty()) {
      javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
    Path task = LambdaZip.unpack(zip, Files.createTempDirectory("novaproxy-task"));
    Path runtimeJar = emptyJar(Files.createTempDirectory("novaproxy-runtime"));
    try (SerialMoto moto = SerialMoto.start();
        FakeNova nova = FakeNova.start().withoutRecording().requireKey(NOVA_KEY)) {
      // Interrupted (Ctrl-C), the try's close would not run: moto would outlive the bench.
      Thread closeMoto =
          new Thread(
              () -> {
                try {
                  moto.close();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      Runtime.getRuntime().addShutdownHook(closeMoto);
      String clientKey = prepareAws(moto);
      LambdaMemory bench = new LambdaMemory(task, runtimeJar, nova, moto, clientKey);
      System.out.printf(
          "Lambda artifact %s; %d runs per figure; load average %s%n", zip, runs, loadAverage());
      for (String java : javas) {
        System.out.printf("%n== %s (%s)%n", javaVersion(java), java);
        for (int memory : List.of(512, 256, 128)) {
          bench.peaks(java, memory, runs);
        }
        bench.coldStarts(java, List.of(512, 256), runs);
      }
      System.out.printf("%nload average at the end %s%n", loadAverage());
    }
  }

  /** The secret with the Nova key, the keys table and one client key with limits; its secret. */
  private static String prepareAws(SerialMoto moto) throws Exception {
    try (var secrets =
        SecretsManagerClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .build()) {
      secrets.createSecret(s -> s.name("backend/NovaApiKey").secretString(NOVA_KEY));
    }
    try (var aws = new AwsClients(new AwsLocation(MotoServer.REGION, null, moto.endpoint()))) {
      new KeysTable(
              aws,
              new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10)))
          .apply(
              new KeysTable.Desired(TABLE, true, new ResourceNames("bench").tags()),
              Optional.empty(),
              PlanStep.create(KeysTable.RESOURCE, TABLE));
    }
    String secret = ClientKey.newSecret();
    try (DynamoDbClient dynamo =
        DynamoDbClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .build()) {
      // A per-key rate and a per-key daily budget, so that every chat reserves and settles.
      new DynamoLimitsStore(dynamo, TABLE)
          .createKey(
              new ClientKey(
                  "bench",
                  ClientKey.hashOf(secret),
                  1_000_000,
                  1_000_000_000_000L,
                  Set.of(),
                  null,
                  Instant.now(),
                  null));
    }
    return secret;
  }

  /** Peak RSS after each phase of realistic work, median over {@code runs} fresh JVMs. */
  private void peaks(String java, int memory, int runs) throws Exception {
    Map<String, List<Long>> hwm = new LinkedHashMap<>();
    List<Long> typical = new ArrayList<>();
    List<Long> all = new ArrayList<>();
    List<String> metaspace = new ArrayList<>();
    int retries = 0;
    String failed = null;
    for (int i = 0; i < runs && failed == null; i++) {
      try (Function f = start(java, memory, false)) {
        for (Phase phase : phases()) {
          try {
            phase.work().run(f);
          } catch (RuntimeException e) {
            failed = phase.name() + ": " + e.getMessage();
            break;
          }
          long kb = f.peakKb();
          hwm.computeIfAbsent(phase.name(), k -> new ArrayList<>()).add(kb);
          if (phase.typical()) {
            typical.add(kb);
          }
          all.add(kb);
        }
        if (failed == null) {
          metaspace.add(f.metaspace(java));
        }
        retries += f.storeTimeouts;
      }
    }
    System.out.printf(
        "-- %d MB (%s; %s)%n",
        memory,
        String.join(" ", jvmOptions(memory)),
        memoryGroupsWork()
            ? "in a " + memory + " MB memory cgroup"
            : "-XX:MaxRAM=" + memory + "m, no memory limit enforced (cannot create a cgroup here)");
    hwm.forEach(
        (phase, kb) ->
            System.out.printf(
                "   peak RSS after %-46s median %4.0f MB (min %.0f, max %.0f); %d runs%n",
                phase, median(kb) / 1024.0, min(kb) / 1024.0, max(kb) / 1024.0, kb.size()));
    if (failed != null) {
      System.out.printf("   FAILED at %d MB: %s%n", memory, failed);
      return;
    }
    metaspace.forEach(m -> System.out.println("   at the end: " + m));
    System.out.printf("   events sent again after moto timed out: %d%n", retries);
    headroom("typical work", typical, memory);
    headroom("with the extremes", all, memory);
  }

  private static void headroom(String what, List<Long> peaksKb, int memory) {
    long top = max(peaksKb);
    System.out.printf(
        "   highest peak, %-23s %.0f MB of %d MB: headroom %.1fx%n",
        what + ":", top / 1024.0, memory, memory * 1024.0 / top);
  }

  /** Process start to the first streamed answer, at the size's CPU share, sizes interleaved. */
  private void coldStarts(String java, List<Integer> sizes, int runs) throws Exception {
    Map<Integer, List<Double>> ms = new LinkedHashMap<>();
    Map<Integer, List<Double>> cpu = new LinkedHashMap<>();
    sizes.forEach(m -> ms.put(m, new ArrayList<>()));
    sizes.forEach(m -> cpu.put(m, new ArrayList<>()));
    boolean quota = false;
    for (int i = 0; i < runs; i++) {
      for (int memory : sizes) {
        try (Function f = start(java, memory, true)) {
          f.chat(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), true);
          ms.get(memory).add((f.lastAnswerNanos - f.startNanos) / 1e6);
          cpu.get(memory).add(f.cpuMillis());
          quota = f.cpuQuota;
        }
      }
    }
    for (int memory : sizes) {
      System.out.printf(
          "   cold start at %d MB, %s: process start to the first streamed answer (keys on)"
              + " median %.0f ms (min %.0f, max %.0f); CPU used %.0f ms; %d runs%n",
          memory,
          quota
              ? String.format("CPU quota %.3f vCPU (cgroup v1 cfs_quota)", memory / 1769.0)
              : "no CPU quota (cannot create a cgroup here)",
          median(ms.get(memory)),
          min(ms.get(memory)),
          max(ms.get(memory)),
          median(cpu.get(memory)),
          runs);
    }
  }

  /** The java21 runtime's JVM options at this memory size, as it passes them to the wrapper. */
  static List<String> jvmOptions(int memoryMb) {
    long kb = memoryMb * 1024L;
    return List.of(
        "-XX:MaxHeapSize=" + Math.round(kb * 0.85) + "k",
        "-XX:MaxMetaspaceSize=" + Math.round(kb * 0.10) + "k",
        "-XX:ReservedCodeCacheSize=" + Math.round(kb * 0.05) + "k",
        "-XX:+UseSerialGC",
        "-Xshare:auto",
        "-XX:+TieredCompilation",
        "-XX:TieredStopAtLevel=1",
        "-Djava.net.preferIPv4Stack=true");
  }

  private record Phase(String name, boolean typical, Work work) {}

  private interface Work {
    void run(Function f) throws RuntimeException;
  }

  /**
   * The work, in order: a cold start, then what a busy function answers ({@code typical}), then the
   * extremes: streams of 41 MB, and payloads near Lambda's 6 MB limits, which a chat proxy meets
   * only with very long conversations or documents (the prompt) or answers no model gives today (a
   * buffered 5.9 MB answer).
   */
  private List<Phase> phases() {
    String delta2k = "lorem ipsum ".repeat(170); // 2,040 characters, nothing to escape
    String prompt55 = "lorem ipsum ".repeat(458_000); // 5.5 MB
    String answer59 = "lorem ipsum ".repeat(490_000); // 5.9 MB of content in Nova's JSON
    return List.of(
        new Phase(
            "cold start (1 streamed chat)",
            true,
            f -> f.chat(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), true)),
        new Phase(
            "+ 100 buffered chats (HTTP API door)",
            true,
            f -> f.repeat(100, LoopUnderTest.apiEvent(LoopUnderTest.WHOLE_BODY), false)),
        new Phase(
            "+ 100 streamed chats (function URL door)",
            true,
            f -> f.repeat(100, LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), true)),
        new Phase(
            "+ 2 long streams (5,000 events 1 ms apart)",
            true,
            f -> {
              for (int i = 0; i < 2; i++) {
                nova.enqueue(FakeNova.Reply.stream(Duration.ofMillis(1), words(5_000, "word ")));
                f.chat(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), true);
              }
            }),
        new Phase(
            "+ 2 streams of 41 MB (20,000 events of 2 KB)",
            false, // far more than any model writes: the streamed limit's side
            f -> {
              for (int i = 0; i < 2; i++) {
                nova.enqueue(FakeNova.Reply.stream(Duration.ZERO, words(20_000, delta2k)));
                f.chat(LoopUnderTest.urlEvent(LoopUnderTest.STREAM_BODY), true);
              }
            }),
        new Phase(
            "+ 3 prompts of 5.5 MB, each door",
            false,
            f -> {
              // Nova's answer to a long prompt is short: not the echo, which would repeat it.
              for (int i = 0; i < 3; i++) {
                nova.enqueue(FakeNova.Reply.json(200, completion("A short answer.")));
                f.chat(LoopUnderTest.apiEvent(userMessage(prompt55, false)), false);
                nova.enqueue(FakeNova.Reply.stream(Duration.ZERO, "A short", " answer."));
                f.chat(LoopUnderTest.urlEvent(userMessage(prompt55, true)), true);
              }
            }),
        new Phase(
            "+ 3 buffered answers of 5.9 MB",
            false,
            f -> {
              for (int i = 0; i < 3; i++) {
                nova.enqueue(FakeNova.Reply.json(200, completion(answer59)));
                f.chat(LoopUnderTest.apiEvent(LoopUnderTest.WHOLE_BODY), false);
              }
            }),
        new Phase(
            "+ 3 streams buffered by the HTTP API, 5.5 MB",
            false,
            f -> {
              for (int i = 0; i < 3; i++) {
                nova.enqueue(FakeNova.Reply.stream(Duration.ZERO, words(2_500, delta2k)));
                f.chat(LoopUnderTest.apiEvent(LoopUnderTest.STREAM_BODY), false);
              }
            }));
  }

  private static String[] words(int count, String word) {
    return Collections.nCopies(count, word).toArray(String[]::new);
  }

  private static String userMessage(String content, boolean stream) {
    return "{\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
        + content
        + "\"}]}";
  }

  private static String completion(String content) {
    return "{\"id\":\"chatcmpl-big\",\"object\":\"chat.completion\",\"created\":1,"
        + "\"model\":\"nova-2-lite-v1\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"content\":\""
        + content
        + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
        + "\"completion_tokens\":1500000,\"total_tokens\":1500005}}";
  }

  /**
   * The function: the wrapper exec'ing the JVM on the loop, in a memory cgroup of its size and, for
   * {@code cpuShare}, a CPU cgroup with the size's share, where this process may make them.
   */
  private Function start(String java, int memory, boolean cpuShare) throws IOException {
    List<Path> groups = new ArrayList<>();
    Path memoryGroup = memoryGroup(memory);
    if (memoryGroup != null) {
      groups.add(memoryGroup);
    }
    Path cpuGroup = cpuShare ? cpuGroup(memory) : null;
    if (cpuGroup != null) {
      groups.add(cpuGroup);
    }
    List<String> cmd = new ArrayList<>();
    if (!groups.isEmpty()) {
      // The shell joins the cgroups, then execs the wrapper, which execs the JVM: one process.
      cmd.addAll(
          List.of(
              "sh",
              "-c",
              "for g in $NOVAPROXY_BENCH_CGROUPS; do echo $$ > \"$g/cgroup.procs\" || exit 1; done;"
                  + " exec \"$@\"",
              "sh"));
    }
    cmd.add(task.resolve("novaproxy-runtime").toString());
    cmd.add(java);
    cmd.addAll(jvmOptions(memory));
    if (memoryGroup == null) {
      cmd.add("-XX:MaxRAM=" + memory + "m"); // the JVM's idea of its machine, at least
    }
    cmd.addAll(List.of("-classpath", runtimeJar.toString(), AWS_MAIN, HANDLER));
    FakeRuntimeApi api = FakeRuntimeApi.start();
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.remove("JAVA_TOOL_OPTIONS");
    env.put("AWS_LAMBDA_RUNTIME_API", api.address());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
    env.put("LAMBDA_TASK_ROOT", task.toString());
    env.put("_HANDLER", HANDLER);
    env.put("AWS_REGION", MotoServer.REGION);
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_DYNAMODB", moto.endpoint().toString());
    env.put("NOVA_UPSTREAM_URL", nova.baseUrl().toString());
    env.put("NOVA_KEYS_TABLE", TABLE);
    env.put("NOVA_DAILY_TOKEN_BUDGET", "1000000000000");
    env.put(
        "NOVAPROXY_BENCH_CGROUPS", String.join(" ", groups.stream().map(Path::toString).toList()));
    Path log = Files.createTempFile("novaproxy-function", ".log");
    long startNanos = System.nanoTime();
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Function(api, p, log, startNanos, clientKey, groups, cpuGroup != null);
  }

  private static final class LimitsUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** One running function and the stand-in it takes events from. */
  private static final class Function implements AutoCloseable {
    final FakeRuntimeApi api;
    final Process process;
    final Path log;
    final long startNanos;
    final String clientKey;
    final List<Path> groups;
    final boolean cpuQuota;
    long lastAnswerNanos;
    int storeTimeouts;

    Function(
        FakeRuntimeApi api,
        Process process,
        Path log,
        long startNanos,
        String clientKey,
        List<Path> groups,
        boolean cpuQuota) {
      this.api = api;
      this.process = process;
      this.log = log;
      this.startNanos = startNanos;
      this.clientKey = clientKey;
      this.groups = groups;
      this.cpuQuota = cpuQuota;
    }

    void repeat(int times, String event, boolean streamed) {
      for (int i = 0; i < times; i++) {
        chat(event, streamed);
      }
    }

    /**
     * One event with the client key, answered 200 in full, or a failure saying what came. An answer
     * of 503 {@code limits_unavailable} is the function's DynamoDB calls timing out (3 s) on moto,
     * which answers one request at a time in Python on a loaded machine: the event is sent again,
     * up to twice, and counted.
     */
    void chat(String event, boolean streamed) {
      for (int attempt = 0; ; attempt++) {
        try {
          chatOnce(event, streamed);
          return;
        } catch (LimitsUnavailable e) {
          if (attempt == 2) {
            throw new IllegalStateException("the limits store timed out 3 times running");
          }
          storeTimeouts++;
        }
      }
    }

    private void chatOnce(String event, boolean streamed) {
      String id =
          api.enqueue(
              LoopUnderTest.withHeader(event, "authorization", "Bearer " + clientKey),
              FUNCTION_TIMEOUT);
      FakeRuntimeApi.Response r;
      try {
        r = api.awaitResponse(id, Duration.ofMinutes(3));
      } catch (RuntimeException | AssertionError e) {
        throw new IllegalStateException(process.isAlive() ? e.getMessage() : exited());
      }
      lastAnswerNanos = r.endNanos();
      boolean ok =
          streamed
              ? r.streamed() && r.status() == 200 && r.bodyText().endsWith("data: [DONE]\n\n")
              : !r.streamed() && r.json().path("statusCode").asInt() == 200;
      if (!ok && r.bodyText().contains("\"limits_unavailable\"")) {
        throw new LimitsUnavailable();
      }
      if (!ok) {
        String body = r.bodyText();
        throw new IllegalStateException(
            "the function did not answer in full: "
                + body.substring(0, Math.min(300, body.length()))
                + " ... function log: "
                + tail(log));
      }
    }

    /** The process's peak resident set (VmHWM), in kB. */
    long peakKb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", "" + process.pid(), "status"))) {
          if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException(exited(), e);
      }
      throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
    }

    /** Why the function is gone: a kill by signal 9 in a memory cgroup is its OOM killer. */
    String exited() {
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int code = process.isAlive() ? -1 : process.exitValue();
      String firstError;
      try {
        firstError =
            Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("Error") || l.contains("Exception"))
                .findFirst()
                .orElse("");
      } catch (IOException e) {
        firstError = "";
      }
      return (code == 137 ? "killed (over its memory limit)" : "the function exited " + code)
          + ": "
          + firstError
          + " ... "
          + tail(log);
    }

    /** The heap's generations and the metaspace, from jcmd (the formats of JDK 17 and 25). */
    String metaspace(String java) {
      String heap =
          jcmd(java, "GC.heap_info").stream()
              .filter(l -> l.matches("(?i)(def ?new|tenured).*"))
              .map(l -> l.replaceAll("\\s+", " ").replaceAll(" \\[0x.*", ""))
              .collect(Collectors.joining("; "));
      String meta =
          jcmd(java, "VM.metaspace").stream()
              .filter(l -> l.startsWith("Both:"))
              .findFirst()
              .map(l -> l.replaceAll("\\s+", " ").replaceAll(", deallocated.*", ""))
              .orElse("?");
      return "heap " + heap + "; metaspace " + meta;
    }

    private List<String> jcmd(String java, String command) {
      try {
        Process jcmd =
            new ProcessBuilder(
                    Path.of(java).resolveSibling("jcmd").toString(),
                    Long.toString(process.pid()),
                    command)
                .redirectErrorStream(true)
                .start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return out.lines().map(String::strip).toList();
      } catch (IOException e) {
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }

    double cpuMillis() {
      return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    }

    @Override
    public void close() throws Exception {
      api.close(); // the loop ends when its Runtime API goes away
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Files.deleteIfExists(log);
      for (Path g : groups) {
        Files.deleteIfExists(g); // a cgroup goes once its process has
      }
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.substring(Math.max(0, s.length() - 2000));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A CPU cgroup with the share Lambda gives this memory size, or null if none can be made. */
  private static Path cpuGroup(int memoryMb) {
    return cgroup(
        CGROUP_CPU,
        memoryMb,
        Map.of(
            "cpu.cfs_period_us",
            "100000",
            "cpu.cfs_quota_us",
            Long.toString(Math.round(100_000 * memoryMb / 1769.0))));
  }

  /** A memory cgroup of this size under this process's own, or null if none can be made. */
  private static Path memoryGroup(int memoryMb) {
    Path own = ownCgroup("memory");
    if (own == null) {
      return null;
    }
    return cgroup(
        CGROUP_MEMORY.resolve(own.toString().substring(1)),
        memoryMb,
        Map.of("memory.limit_in_bytes", Long.toString(memoryMb * 1024L * 1024)));
  }

  private static boolean memoryGroupsWork() {
    Path g = memoryGroup(128);
    if (g == null) {
      return false;
    }
    try {
      Files.delete(g);
    } catch (IOException e) {
      // left for the next run's name to differ
    }
    return true;
  }

  /** This process's cgroup (v1) for a controller, from /proc/self/cgroup, e.g. /process_api/x. */
  private static Path ownCgroup(String controller) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] f = line.split(":", 3);
        if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) {
          return Path.of(f[2]);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static int groups;

  private static Path cgroup(Path parent, int memoryMb, Map<String, String> settings) {
    Path dir =
        parent.resolve(
            "novaproxy-bench-" + ProcessHandle.current().pid() + "-" + memoryMb + "-" + (++groups));
    try {
      Files.createDirectory(dir);
      for (var e : settings.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
      return dir;
    } catch (IOException | UnsupportedOperationException e) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // nothing was made
      }
      return null;
    }
  }

  /** A jar with nothing in it, standing in for the runtime's own jars on the classpath. */
  private static Path emptyJar(Path dir) throws IOException {
    Path jar = dir.resolve("aws-lambda-java-core-1.2.3.jar");
    try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
      // empty
    }
    return jar;
  }

  private static String javaVersion(String java) throws Exception {
    Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.lines().skip(1).findFirst().orElse(out).strip();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0]
          + " "
          + f[1]
          + " "
          + f[2]
          + " on "
          + Runtime.getRuntime().availableProcessors()
          + " CPUs";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static <T extends Comparable<T>> T median(List<T> values) {
    List<T> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static <T extends Comparable<T>> T min(List<T> values) {
    return Collections.min(values);
  }

  private static <T extends Comparable<T>> T max(List<T> values) {
    return Collections.max(values);
  }
}
