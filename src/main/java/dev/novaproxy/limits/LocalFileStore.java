package dev.novaproxy.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.novaproxy.config.UserDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The limits store of {@code serve} when no DynamoDB table is given: keys and counters in one JSON
 * file, mode 0600, so that trying keys and limits needs no AWS.
 *
 * <p>Every operation holds a lock on a file beside it ({@code keys.json.lock}) for as long as it
 * reads the file, changes it and writes it back, and rereads it each time: a {@code keys create} in
 * another process and a running {@code serve} see each other's changes and never lose one, and a
 * reservation is all-or-nothing across processes as it is across threads. Writes go to a temporary
 * file that is renamed over the old one, so a crash leaves the old file or the new, never half.
 * Within one process the lock is taken per file by one thread at a time (the JVM refuses a second
 * lock on a file it already holds). The file is parsed again only when it changed since this store
 * last saw it: every store counts its writes in the lock file.
 */
public final class LocalFileStore implements LimitsStore {
  /** Overrides the default location; tests use it so that they never touch the user's file. */
  public static final String PATH_PROPERTY = "novaproxy.keysFile";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final Object monitor;
  // The contents as this store last read or wrote them, and their stamp; guarded by monitor.
  private State cached;
  private List<Object> cachedStamp;

  public LocalFileStore(Path file) {
    this(file, Clock.systemUTC());
  }

  /** With a clock for expiry (tests). */
  public LocalFileStore(Path file, Clock clock) {
    this.file = file.toAbsolutePath().normalize();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.clock = clock;
    this.monitor = MONITORS.computeIfAbsent(this.file, p -> new Object());
  }

  /**
   * {@code $XDG_STATE_HOME/novaproxy/keys.json}, else {@code ~/.local/state/novaproxy/keys.json}
   * (keys and counters are state, like the chat history); the {@value #PATH_PROPERTY} property
   * overrides both.
   */
  public static Path defaultPath(Map<String, String> env) {
    return UserDirs.stateFile(env, PATH_PROPERTY, "keys.json");
  }

  public Path file() {
    return file;
  }

  @Override
  public Optional<ClientKey> findKey(String hashHex) {
    return locked(false, s -> s.keys.stream().filter(k -> k.hashHex().equals(hashHex)).findFirst());
  }

  @Override
  public void createKey(ClientKey key) {
    locked(
        true,
        s -> {
          for (ClientKey k : s.keys) {
            if (k.name().equals(key.name())) {
              throw new IllegalArgumentException("A key named " + key.name() + " exists.");
            }
            if (k.hashHex().equals(key.hashHex())) {
              throw new IllegalArgumentException("That key is stored already (as another name).");
            }
          }
          s.keys.add(key);
          s.keysChanged = true;
          return null;
        });
  }

  @Override
  public List<ClientKey> listKeys() {
    return locked(false, s -> List.copyOf(s.keys));
  }

  @Override
  public boolean revokeKey(String name, Instant when) {
    return locked(
        true,
        s -> {
          for (int i = 0; i < s.keys.size(); i++) {
            ClientKey k = s.keys.get(i);
            if (k.name().equals(name)) {
              if (k.revoked() == null) {
                s.keys.set(i, k.revokedAt(when));
                s.keysChanged = true;
              }
              return true;
            }
          }
          return false;
        });
  }

  @Override
  public OptionalInt reserve(List<Increment> increments) {
    return locked(
        true,
        s -> {
          Instant now = clock.instant();
          for (int i = 0; i < increments.size(); i++) {
            Increment inc = increments.get(i);
            if (inc.limit() != Increment.NO_LIMIT
                && saturatedAdd(s.value(inc.counter(), now), inc.amount()) > inc.limit()) {
              return OptionalInt.of(i);
            }
          }
          increments.forEach(inc -> s.add(inc, now));
          return OptionalInt.empty();
        });
  }

  @Override
  public void settle(List<Increment> increments) {
    locked(
        true,
        s -> {
          Instant now = clock.instant();
          increments.forEach(inc -> s.add(inc, now));
          return null;
        });
  }

  @Override
  public long read(String counter) {
    return locked(false, s -> s.value(counter, clock.instant()));
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  /** The file's contents while an operation holds the lock. */
  private static final class State {
    final List<ClientKey> keys = new ArrayList<>();
    final Map<String, Counter> counters = new LinkedHashMap<>();
    boolean keysChanged;
    boolean countersChanged;

    long value(String name, Instant now) {
      Counter c = counters.get(name);
      return c == null || c.expired(now) ? 0 : c.value;
    }

    void add(Increment inc, Instant now) {
      Counter c = counters.get(inc.counter());
      if (c == null || c.expired(now)) {
        counters.put(inc.counter(), new Counter(inc.amount(), inc.expiresAt().getEpochSecond()));
      } else {
        c.value = saturatedAdd(c.value, inc.amount()); // the first expiry stays, as in DynamoDB
      }
      countersChanged = true;
    }

    void dropExpired(Instant now) {
      Iterator<Counter> it = counters.values().iterator();
      while (it.hasNext()) {
        if (it.next().expired(now)) {
          it.remove();
        }
      }
    }
  }

  private static final class Counter {
    long value;
    final long expiresAt;

    Counter(long value, long expiresAt) {
      this.value = value;
      this.expiresAt = expiresAt;
    }

    boolean expired(Instant now) {
      return now.getEpochSecond() >= expiresAt;
    }
  }

  /**
   * Runs {@code op} on the file's current contents under the lock, and writes them back when it
   * changed them (and {@code write} allows). An IllegalArgumentException from {@code op} passes
   * through; every I/O failure is a {@link StoreUnavailable} naming the file.
   */
  private <T> T locked(boolean write, Function<State, T> op) {
    synchronized (monitor) {
      try {
        ensureDirectory();
        try (FileChannel channel =
                FileChannel.open(
                    lockFile,
                    Set.of(
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE),
                    ownerOnly(OWNER_ONLY));
            FileLock ignored = channel.lock()) {
          List<Object> stamp = stamp(channel);
          State state = cached != null && stamp.equals(cachedStamp) ? cached : load();
          cached = null; // until this operation has finished well
          cachedStamp = null;
          T result = op.apply(state);
          if (write && (state.keysChanged || state.countersChanged)) {
            state.dropExpired(clock.instant());
            save(state);
            state.keysChanged = false;
            state.countersChanged = false;
            bump(channel, (Long) stamp.get(0));
            stamp = stamp(channel);
          }
          cached = state;
          cachedStamp = stamp;
          return result;
        }
      } catch (IOException e) {
        throw new StoreUnavailable(
            "The keys file " + file + " cannot be used (" + describe(e) + ").", e);
      }
    }
  }

  /**
   * What identifies the file's contents: the generation every store writes into the lock file as it
   * writes (so another process's change is seen), and the file's identity, time and size (so a
   * change made by hand is seen too). While it is unchanged the contents read last are still good,
   * and reading and parsing the file again is saved.
   */
  private List<Object> stamp(FileChannel lock) throws IOException {
    ByteBuffer generation = ByteBuffer.allocate(Long.BYTES);
    long g = lock.read(generation, 0) == Long.BYTES ? generation.flip().getLong() : 0;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return Arrays.asList(g, a.fileKey(), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return Arrays.asList(g, null, null, null);
    }
  }

  private static void bump(FileChannel lock, long generation) throws IOException {
    ByteBuffer next = ByteBuffer.allocate(Long.BYTES).putLong(generation + 1).flip();
    while (next.hasRemaining()) {
      lock.write(next, next.position());
    }
  }

  private void ensureDirectory() throws IOException {
    Path dir = file.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir, ownerOnly(OWNER_DIR));
      } catch (FileAlreadyExistsException e) {
        // made meanwhile
      }
    }
  }

  private State load() throws IOException {
    State state = new State();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return state;
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IOException("not valid JSON: fix it or move it away", e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException("not a JSON object: fix it or move it away");
    }
    try {
      for (JsonNode k : root.path("keys")) {
        state.keys.add(keyFrom(k));
      }
      root.path("counters")
          .fields()
          .forEachRemaining(
              e ->
                  state.counters.put(
                      e.getKey(),
                      new Counter(
                          e.getValue().path("value").asLong(),
                          e.getValue().path("expiresAt").asLong())));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw new IOException("a key in it is malformed: " + e.getMessage(), e);
    }
    return state;
  }

  private void save(State state) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode keys = root.putArray("keys");
    state.keys.forEach(k -> keys.add(keyTo(k)));
    ObjectNode counters = root.putObject("counters");
    state.counters.forEach(
        (name, c) -> counters.putObject(name).put("value", c.value).put("expiresAt", c.expiresAt));
    byte[] bytes = JSON.writeValueAsBytes(root);
    Path tmp = Files.createTempFile(file.getParent(), ".keys-", ".tmp", ownerOnly(OWNER_ONLY));
    boolean moved = false;
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        if (state.keysChanged) {
          out.force(true); // keys must survive a crash; counters are worth less than an fsync
        }
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static ObjectNode keyTo(ClientKey k) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", k.name());
    n.put("sha256", k.hashHex());
    if (k.rpm() != null) {
      n.put("rpm", k.rpm());
    }
    if (k.tokensPerDay() != null) {
      n.put("tokensPerDay", k.tokensPerDay());
    }
    ArrayNode models = n.putArray("models");
    new java.util.TreeSet<>(k.models()).forEach(models::add);
    putInstant(n, "expires", k.expires());
    putInstant(n, "created", k.created());
    putInstant(n, "revoked", k.revoked());
    return n;
  }

  private static ClientKey keyFrom(JsonNode n) {
    Set<String> models = new LinkedHashSet<>();
    n.path("models").forEach(m -> models.add(m.asText()));
    return new ClientKey(
        n.path("name").asText(null),
        n.path("sha256").asText(null),
        n.hasNonNull("rpm") ? n.get("rpm").asInt() : null,
        n.hasNonNull("tokensPerDay") ? n.get("tokensPerDay").asLong() : null,
        models,
        instant(n, "expires"),
        instant(n, "created"),
        instant(n, "revoked"));
  }

  private static void putInstant(ObjectNode n, String field, Instant value) {
    if (value != null) {
      n.put(field, value.toString());
    }
  }

  private static Instant instant(JsonNode n, String field) {
    return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
  }

  /** Owner-only permissions where the file system has POSIX permissions (not on Windows). */
  private FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }

  private boolean posix() {
    return file.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e.getCause() != null && message != null && message.startsWith("not valid JSON")) {
      return message;
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** Counters by name, for tests and {@code keys usage}: every live counter in the file. */
  public Map<String, Long> counters() {
    return locked(
        false,
        s -> {
          Map<String, Long> out = new HashMap<>();
          Instant now = clock.instant();
          s.counters.forEach(
              (k, c) -> {
                if (!c.expired(now)) {
                  out.put(k, c.value);
                }
              });
          return out;
        });
  }
}
