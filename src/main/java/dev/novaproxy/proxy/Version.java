package dev.novaproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, written into a resource by Maven; shown by --version and /health. */
public final class Version {
  private static final String VERSION = load();

  public static String current() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/novaproxy-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private Version() {}
}
