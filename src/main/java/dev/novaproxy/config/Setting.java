package dev.novaproxy.config;

import java.util.List;
import java.util.Set;

/**
 * One setting that may come from a flag, the environment or the config file.
 *
 * @param key the name in config.json (and in {@code config set})
 * @param option the command-line flag that it gives a default to
 * @param env the environment variables read, first one set wins
 * @param commands the commands whose flag it fills; empty means every command that has the flag
 * @param defaultValue shown by {@code config show}; null when there is no default
 * @param list whether it holds several values (comma-separated in the environment and in flags)
 * @param help one line for {@code config show} and the docs
 * @param check the rule every value (each element of a list) must follow
 */
public record Setting(
    String key,
    String option,
    List<String> env,
    Set<String> commands,
    String defaultValue,
    boolean list,
    String help,
    Check check) {

  public boolean appliesTo(String command) {
    return commands.isEmpty() || commands.contains(command);
  }

  /** What is wrong with a value (for a list: its first bad element), or null when nothing is. */
  public String problem(String value) {
    if (!list) {
      return check.problem(value.strip());
    }
    for (String element : value.split(",")) {
      String e = element.strip();
      String problem = e.isEmpty() ? null : check.problem(e);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }
}
