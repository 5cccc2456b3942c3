package dev.novaproxy.cli.doctor;

import java.util.Set;
import java.util.function.Function;

/**
 * A failure as a finding. The CLI's error handler already words AWS failures as one line, "what
 * went wrong: what to do" (see AwsErrors); doctor shows the two halves as message and fix.
 */
final class Problem {
  /** How the fixes in the error handler's lines begin. */
  private static final Set<String> FIX_WORDS =
      Set.of("run", "check", "grant", "refresh", "pass", "set", "use", "install");

  private final Function<Throwable, String> words;

  /**
   * @param words the one line the CLI would print for an exception
   */
  Problem(Function<Throwable, String> words) {
    this.words = words;
  }

  /** {@code e} as a finding of {@code status}; {@code fix} when the line names none. */
  Finding finding(String name, Finding.Status status, Throwable e, String fix) {
    return split(name, status, words.apply(e), fix);
  }

  static Finding split(String name, Finding.Status status, String line, String fix) {
    int at = line.lastIndexOf(": ");
    if (at > 0) {
      String tail = line.substring(at + 2);
      if (FIX_WORDS.contains(tail.split(" ", 2)[0])) {
        return new Finding(name, status, line.substring(0, at), tail);
      }
    }
    return new Finding(name, status, line, fix);
  }
}
