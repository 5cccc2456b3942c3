package dev.novaproxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A small zip standing in for the Lambda artifact where the real jar is not needed. */
public final class TestZip {
  public static Path write(Path dir, String content) throws IOException {
    Path zip = dir.resolve("code-" + Integer.toHexString(content.hashCode()) + ".zip");
    try (OutputStream file = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(file)) {
      ZipEntry e = new ZipEntry("handler.txt");
      e.setTime(0);
      z.putNextEntry(e);
      z.write(content.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return zip;
  }

  private TestZip() {}
}
