package dev.novaproxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.novaproxy.limits.LimitsStore.Increment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the local file store, and what only a file has to get right. */
class LocalFileStoreTest extends LimitsStoreContract {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("state").resolve("novaproxy").resolve("keys.json");
  }

  @Override
  protected LimitsStore newStore(Clock clock) {
    return new LocalFileStore(file(), clock);
  }

  @Test
  void should_write_the_file_and_its_lock_owner_only_in_an_owner_only_directory() throws Exception {
    store.createKey(key("alice", "np_alice"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file().resolveSibling("keys.json.lock"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file().getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void should_hold_only_hashes_and_leave_no_temporary_file_behind() throws Exception {
    String secret = ClientKey.newSecret();
    store.createKey(key("alice", secret));
    store.reserve(
        List.of(Increment.always("requests#key:alice#2026-11-30", 1, T0.plusSeconds(99))));
    String text = Files.readString(file());
    assertThat(text).doesNotContain(secret).contains(ClientKey.hashOf(secret));
    assertThat(new ObjectMapper().readTree(text).path("keys").size()).isEqualTo(1);
    try (Stream<Path> files = Files.list(file().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("keys.json", "keys.json.lock");
    }
  }

  @Test
  void should_see_a_key_another_store_on_the_same_file_created_meanwhile() {
    LimitsStore serving = store;
    assertThat(serving.listKeys()).isEmpty();
    LimitsStore keysCommand = new LocalFileStore(file(), clock);
    ClientKey bob = key("bob", "np_bob");
    keysCommand.createKey(bob);
    assertThat(serving.findKey(bob.hashHex())).contains(bob);
    serving.reserve(
        List.of(Increment.always("requests#key:bob#2026-11-30", 1, T0.plusSeconds(99))));
    keysCommand.revokeKey("bob", T0);
    // Neither write lost the other's.
    assertThat(serving.findKey(bob.hashHex()).orElseThrow().revoked()).isEqualTo(T0);
    assertThat(keysCommand.read("requests#key:bob#2026-11-30")).isEqualTo(1);
  }

  @Test
  void should_see_a_change_made_to_the_file_by_hand_while_it_had_the_contents_in_memory()
      throws Exception {
    store.createKey(key("alice", "np_alice"));
    assertThat(store.listKeys()).hasSize(1);
    String edited = Files.readString(file()).replace("\"alice\"", "\"alice-renamed\"");
    Files.writeString(file(), edited);
    assertThat(store.listKeys()).extracting(ClientKey::name).containsExactly("alice-renamed");
  }

  @Test
  void should_drop_expired_counters_when_it_next_writes() {
    store.reserve(List.of(Increment.always("old", 5, T0.plusSeconds(60))));
    clock.advance(Duration.ofMinutes(5));
    store.reserve(List.of(Increment.always("new", 1, T0.plus(Duration.ofDays(1)))));
    assertThat(((LocalFileStore) store).counters()).containsOnlyKeys("new");
  }

  @Test
  void should_report_a_broken_file_as_unavailable_naming_it_without_its_contents()
      throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "{\"keys\": [ this is np_not-json");
    assertThatThrownBy(() -> store.findKey(ClientKey.hashOf("np_x")))
        .isInstanceOf(LimitsStore.StoreUnavailable.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("not valid JSON")
        .message()
        .doesNotContain("np_not-json");
    assertThatThrownBy(() -> store.reserve(List.of(Increment.always("c", 1, T0))))
        .isInstanceOf(LimitsStore.StoreUnavailable.class);
    assertThat(Files.readString(file())).startsWith("{\"keys\": [ this"); // left for the owner
  }

  @Test
  void should_report_a_file_it_cannot_read_as_unavailable() throws Exception {
    // A directory where the file should be: unreadable even to root, unlike a chmod.
    Files.createDirectories(file());
    assertThatThrownBy(() -> store.listKeys())
        .isInstanceOf(LimitsStore.StoreUnavailable.class)
        .hasMessageContaining(file().toString());
  }

  @Test
  void should_default_to_the_xdg_state_directory() {
    String saved = System.getProperty(LocalFileStore.PATH_PROPERTY);
    System.clearProperty(LocalFileStore.PATH_PROPERTY);
    try {
      assertThat(LocalFileStore.defaultPath(Map.of("XDG_STATE_HOME", "/x/state")))
          .isEqualTo(Path.of("/x/state/novaproxy/keys.json"));
      assertThat(LocalFileStore.defaultPath(Map.of()))
          .isEqualTo(Path.of(System.getProperty("user.home"), ".local/state/novaproxy/keys.json"));
    } finally {
      if (saved != null) {
        System.setProperty(LocalFileStore.PATH_PROPERTY, saved);
      }
    }
  }

  /**
   * Two processes reserving on one file at once: the lock makes each reservation whole, so the
   * limit lets exactly as many through as it allows and no increment is lost.
   */
  @Test
  void should_stay_atomic_across_processes() throws Exception {
    Path shared = file();
    LimitsStore here = new LocalFileStore(shared);
    here.createKey(key("shared", "np_shared")); // makes the file and directory first
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Child.class.getName(),
            shared.toString(),
            "150");
    pb.redirectErrorStream(true);
    Process child = pb.start();
    var lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(lines.readLine()).isEqualTo("ready"); // the child is about to reserve: go too
    int admittedHere = Child.reserve(here, 150);
    String out = lines.lines().collect(java.util.stream.Collectors.joining("\n"));
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    int admittedThere = Integer.parseInt(out.strip().replaceAll("(?s).*admitted=(\\d+).*", "$1"));
    assertThat(admittedHere + admittedThere).isEqualTo(200);
    assertThat(here.read("budget")).isEqualTo(200);
    assertThat(here.read("requests")).isEqualTo(200);
    assertThat(here.listKeys()).extracting(ClientKey::name).containsExactly("shared");
  }

  /** The other process of {@link #should_stay_atomic_across_processes}. */
  public static final class Child {
    public static void main(String[] args) {
      LimitsStore store = new LocalFileStore(Path.of(args[0]));
      store.listKeys(); // classes loaded, file readable: the race can start
      System.out.println("ready");
      System.out.println("admitted=" + reserve(store, Integer.parseInt(args[1])));
    }

    static int reserve(LimitsStore store, int attempts) {
      Instant expiry = Instant.now().plus(Duration.ofDays(1));
      int admitted = 0;
      for (int i = 0; i < attempts; i++) {
        if (store
            .reserve(
                List.of(
                    Increment.always("requests", 1, expiry),
                    Increment.within("budget", 1, 200, expiry)))
            .isEmpty()) {
          admitted++;
        }
      }
      return admitted;
    }
  }
}
