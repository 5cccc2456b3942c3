package dev.novaproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDirsTest {
  @Test
  void should_take_the_xdg_variables_first() {
    Map<String, String> env =
        Map.of("XDG_CONFIG_HOME", "/x/config", "XDG_STATE_HOME", "/x/state", "HOME", "/h");

    assertThat(UserDirs.configHome(env)).isEqualTo(Path.of("/x/config"));
    assertThat(UserDirs.stateHome(env)).isEqualTo(Path.of("/x/state"));
  }

  @Test
  void should_fall_back_to_the_home_the_environment_names() {
    Map<String, String> env = Map.of("HOME", "/elsewhere");

    assertThat(UserDirs.configHome(env)).isEqualTo(Path.of("/elsewhere/.config"));
    assertThat(UserDirs.stateHome(env)).isEqualTo(Path.of("/elsewhere/.local/state"));
  }

  @Test
  void should_ignore_a_relative_xdg_path_as_the_specification_says() {
    Map<String, String> env =
        Map.of("XDG_CONFIG_HOME", "relative/config", "XDG_STATE_HOME", " ", "HOME", "/h");

    assertThat(UserDirs.configHome(env)).isEqualTo(Path.of("/h/.config"));
    assertThat(UserDirs.stateHome(env)).isEqualTo(Path.of("/h/.local/state"));
  }

  @Test
  void should_use_the_jvms_home_only_when_home_is_unset() {
    assertThat(UserDirs.configHome(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".config"));
    assertThat(UserDirs.configHome(Map.of("HOME", "")))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".config"));
  }
}
