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

  /**
   * What fixes a key from this source that Nova rejects: it ends the 502 clients get, "Nova
   * rejected the proxy's API key; {@code <this>}." The default suits a secret in Secrets Manager,
   * which {@code novaproxy setup} writes; a key given on this machine says where it came from.
   */
  default String whenRejected() {
    return "the operator must store a valid key (novaproxy setup)";
  }

  /** A key known up front (from the environment, a prompt), and what fixes it when rejected. */
  static SecretSource fixed(String key, String whenRejected) {
    return new SecretSource() {
      @Override
      public String fetch() {
        return key;
      }

      @Override
      public String whenRejected() {
        return whenRejected;
      }
    };
  }

  final class SecretUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SecretUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
