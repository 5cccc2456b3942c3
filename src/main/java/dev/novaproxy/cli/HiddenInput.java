package dev.novaproxy.cli;

import java.io.Console;
import java.util.Arrays;

/** Reads a secret from the terminal without echoing it; never from an argument. */
final class HiddenInput {
  /** True when there is a terminal to prompt on. */
  static boolean available() {
    return System.console() != null;
  }

  /**
   * Prompts on the terminal with echo off.
   *
   * @throws CliException when there is no terminal, naming the non-interactive alternative
   */
  static String read(String prompt, String alternative) {
    Console console = System.console();
    if (console == null) {
      throw CliException.usage("No terminal to ask for the key on; " + alternative + ".");
    }
    char[] chars = console.readPassword("%s", prompt);
    if (chars == null) {
      throw CliException.usage("No key was entered.");
    }
    try {
      return new String(chars).strip();
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  private HiddenInput() {}
}
