package dev.novaproxy.cli.keys;

import dev.novaproxy.proxy.ClientAuth;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A new client key: {@code np_} and 256 bits from SecureRandom in base64url without padding (43
 * characters), and the SHA-256 that is all the table keeps. {@link #toString} never shows the key.
 */
record NewKey(String key, String hashHex) {
  static final String PREFIX = "np_";
  private static final SecureRandom RANDOM = new SecureRandom();

  static NewKey generate() {
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    return new NewKey(key, ClientAuth.sha256Hex(key));
  }

  @Override
  public String toString() {
    return "NewKey[" + hashHex.substring(0, 8) + "…]";
  }
}
