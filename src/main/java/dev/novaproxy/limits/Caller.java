package dev.novaproxy.limits;

/**
 * Who is calling, as the limits see it: a client key, a static client token (a key with no limits
 * of its own), or an anonymous caller known by its source address.
 *
 * @param name the name counters and logs use: {@code key:NAME}, {@code key:token:1a2b3c4d} or
 *     {@code ip:ADDRESS}; never a key or a hash
 * @param key the client key, or null for a static token or an anonymous caller
 * @param ip the counted source address (IPv6 per /64) of an anonymous caller, else null
 */
public record Caller(String name, ClientKey key, String ip) {
  static Caller of(ClientKey key) {
    return new Caller("key:" + key.name(), key, null);
  }

  static Caller staticToken(String tokenName) {
    return new Caller("key:" + tokenName, null, null);
  }

  static Caller anonymous(String ip) {
    return new Caller("ip:" + ip, null, ip);
  }

  public boolean anonymous() {
    return ip != null;
  }

  /** The name counters use after {@code key:}: the key's name or {@code token:…}. */
  String keyName() {
    return name.substring("key:".length());
  }
}
