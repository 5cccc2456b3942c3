package dev.novaproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The build's version and git commit, written into resources by Maven; shown by --version and
 * /health. Either is "unknown" when the build could not tell (no git, not a checkout).
 */
public final class Version {
  private static final String VERSION = load("/novaproxy-version.properties", "version");
  private static final String COMMIT = load("/novaproxy-build.properties", "commit");

  public static String current() {
    return VERSION;
  }

  public static String commit() {
    return COMMIT;
  }

  private static String load(String resource, String key) {
    try (InputStream in = Version.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty(key, "").trim();
      return v.isEmpty() ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  private Version() {}
}
