package dev.novaproxy.limits;

import java.util.Optional;

/**
 * The static client tokens ({@code --client-token-sha256}) the proxy also accepts beside client
 * keys. A token that matches counts as a key named {@code token:<first 8 hex of its hash>} with no
 * limits of its own (the daily budget still applies). When tokens are configured, a caller with
 * neither a token nor a key is refused, as it was before keys: the tokens are a requirement.
 */
public interface StaticTokens {
  /** Whether any token is configured. */
  boolean configured();

  /** The name a presented token counts under, or empty when it matches no configured token. */
  Optional<String> nameOf(String token);

  static StaticTokens none() {
    return new StaticTokens() {
      @Override
      public boolean configured() {
        return false;
      }

      @Override
      public Optional<String> nameOf(String token) {
        return Optional.empty();
      }
    };
  }
}
