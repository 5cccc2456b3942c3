package dev.novaproxy.proxy;

/**
 * Where the Nova API key comes from: an environment variable for {@code serve}, Secrets Manager for
 * the Lambda. Implementations fetch; caching is the proxy's job ({@code CachedSecret}).
 */
@FunctionalInterface
public interface SecretSource {
  /**
   * Fetches the current key.
   *
   * @throws SecretUnavailableException when the key cannot be had; its message must never contain
   *     the key
   */
  String fetch();

  final class SecretUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SecretUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
