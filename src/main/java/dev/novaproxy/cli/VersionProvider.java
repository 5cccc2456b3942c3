package dev.novaproxy.cli;

import dev.novaproxy.proxy.Version;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "novaproxy " + Version.current() + " (commit " + Version.commit() + ")",
      "Java " + System.getProperty("java.version")
    };
  }
}
