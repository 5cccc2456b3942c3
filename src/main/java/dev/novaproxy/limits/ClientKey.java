package dev.novaproxy.limits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client key as stored: its name and the SHA-256 of the key, never the key itself ({@code np_}
 * followed by 256 random bits, shown once by {@code keys create}).
 *
 * @param name unique per deployment, what {@code keys list}, {@code revoke} and {@code usage} name;
 *     letters, digits, {@code . _ -}, at most 64 (it is part of counter names, so no {@code #} or
 *     {@code :})
 * @param hashHex lower-case hex SHA-256 of the whole key string
 * @param rpm requests per minute, or null for no per-key rate limit
 * @param tokensPerDay tokens (prompt + completion) per UTC day, or null for no per-key budget
 * @param models the models this key may ask for; empty (or null) means whatever the deployment
 *     allows
 * @param expires when the key stops working, or null
 * @param created when it was made
 * @param revoked when it was revoked, or null
 */
public record ClientKey(
    String name,
    String hashHex,
    Integer rpm,
    Long tokensPerDay,
    Set<String> models,
    Instant expires,
    Instant created,
    Instant revoked) {
  /** What every client key starts with (static client tokens start with {@code npc_}). */
  public static final String PREFIX = "np_";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  // np_ and 43 base64url characters (32 bytes) as made by newSecret; a little latitude for keys
  // made another way, never so much that a huge header is hashed.
  private static final Pattern SECRET = Pattern.compile("np_[A-Za-z0-9_-]{32,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public ClientKey {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "A key name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit.");
    }
    if (hashHex == null || !HASH.matcher(hashHex).matches()) {
      throw new IllegalArgumentException("A key's hash is 64 lower-case hex digits (SHA-256).");
    }
    if (rpm != null && rpm < 1) {
      throw new IllegalArgumentException("A key's rpm is at least 1, or none.");
    }
    if (tokensPerDay != null && tokensPerDay < 1) {
      throw new IllegalArgumentException("A key's tokens per day is at least 1, or none.");
    }
    models = models == null ? Set.of() : Set.copyOf(models);
  }

  /** Whether {@code name} is a valid key name (see {@link ClientKey}). */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Usable at {@code now}: not revoked, not expired. */
  public boolean usableAt(Instant now) {
    return revoked == null && (expires == null || now.isBefore(expires));
  }

  /** Whether this key may ask for {@code model}. */
  public boolean allowsModel(String model) {
    return models.isEmpty() || models.contains(model);
  }

  /** A new key to hand out once: {@code np_} and 256 random bits, base64url. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether a presented string has the shape of a client key (before any lookup). */
  public static boolean isWellFormed(String secret) {
    return secret != null && SECRET.matcher(secret).matches();
  }

  /** The lower-case hex SHA-256 of a key, as stored. */
  public static String hashOf(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** This key, revoked at {@code when}. */
  public ClientKey revokedAt(Instant when) {
    return new ClientKey(name, hashHex, rpm, tokensPerDay, models, expires, created, when);
  }
}
