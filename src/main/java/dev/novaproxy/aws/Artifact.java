package dev.novaproxy.aws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The function's code: the jar's bytes and their SHA-256 in Lambda's form (base64). */
public record Artifact(Path path, byte[] bytes, String sha256) {
  /** Lambda's limit for a zip uploaded directly. */
  static final long MAX_DIRECT_UPLOAD = 50L * 1024 * 1024;

  public static Artifact read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new AwsException(
          AwsException.Kind.NOT_FOUND,
          "The Lambda artifact "
              + path
              + " does not exist; build it with 'mvn package' or pass --artifact FILE.");
    }
    try {
      if (Files.size(path) > MAX_DIRECT_UPLOAD) {
        throw new AwsException(
            AwsException.Kind.FAILED,
            "The Lambda artifact " + path + " is larger than Lambda's 50 MB upload limit.");
      }
      byte[] bytes = Files.readAllBytes(path);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Artifact(path, bytes, Base64.getEncoder().encodeToString(digest));
    } catch (IOException e) {
      throw new AwsException(
          AwsException.Kind.FAILED,
          "Cannot read the Lambda artifact " + path + ": " + e.getMessage(),
          e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}
