package dev.novaproxy.cli;

/** A command whose work another issue builds: says so clearly rather than pretending. */
final class NotBuiltYet {
  static int report(String command) {
    throw new CliException(
        ExitCodes.FAILURE,
        "'novaproxy " + command + "' is not built yet in this version; see README.md.");
  }

  private NotBuiltYet() {}
}
