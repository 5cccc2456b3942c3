package dev.novaproxy.limits;

import java.time.Instant;
import java.util.Set;

/**
 * A client key as stored: its name and the SHA-256 of the key, never the key itself ({@code np_}
 * followed by 256 random bits, shown once by {@code keys create}).
 *
 * @param name unique per deployment, what {@code keys list}, {@code revoke} and {@code usage} name
 * @param hashHex lower-case hex SHA-256 of the whole key string
 * @param rpm requests per minute, or null for no per-key rate limit
 * @param tokensPerDay tokens (prompt + completion) per UTC day, or null for no per-key budget
 * @param models the models this key may ask for; empty means whatever the deployment allows
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
  public ClientKey {
    models = Set.copyOf(models);
  }

  /** Usable at {@code now}: not revoked, not expired. */
  public boolean usableAt(Instant now) {
    return revoked == null && (expires == null || now.isBefore(expires));
  }
}
