package dev.novaproxy.proxy;

import dev.novaproxy.limits.StaticTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Client tokens, when the operator configures them: a request to the chat or models routes must
 * carry {@code Authorization: Bearer <token>} (what OpenAI SDKs send as their API key) whose
 * SHA-256 is one of the configured hashes. Only hashes are configured, so the function's
 * environment and the config never hold a usable token. Off when no hash is given.
 *
 * <p>With client keys on, the limits check the Authorization header instead, and accept these
 * tokens beside keys, each counted as a key named {@code token:<first 8 hex of its hash>} ({@link
 * StaticTokens}).
 */
public final class ClientAuth implements StaticTokens {
  /** Where novaproxy's own clients (chat, status --smoke) find the token to send. */
  public static final String CLIENT_TOKEN_ENV = "NOVAPROXY_CLIENT_TOKEN";

  private static final ClientAuth OFF = new ClientAuth(List.of());

  private final List<byte[]> hashes;

  private ClientAuth(List<byte[]> hashes) {
    this.hashes = hashes;
  }

  public static ClientAuth off() {
    return OFF;
  }

  /**
   * From hex SHA-256 hashes.
   *
   * @throws IllegalArgumentException naming a value that is not 64 hex digits
   */
  public static ClientAuth ofSha256(List<String> hexHashes) {
    return new ClientAuth(
        hexHashes.stream()
            .map(
                h -> {
                  String hex = h.strip().toLowerCase(Locale.ROOT);
                  if (!hex.matches("[0-9a-f]{64}")) {
                    // Not echoed: a token pasted by mistake must not end up in a terminal log.
                    throw new IllegalArgumentException(
                        "A client token hash must be 64 hex digits (a SHA-256): give the hash"
                            + " that 'novaproxy token' prints, not the token.");
                  }
                  return HexFormat.of().parseHex(hex);
                })
            .toList());
  }

  /** The hex SHA-256 of a token, as the operator configures it. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** Adds the client token from the environment, when there is one, to a request. */
  public static java.net.http.HttpRequest.Builder withTokenFromEnvironment(
      java.net.http.HttpRequest.Builder request) {
    String token = System.getenv(CLIENT_TOKEN_ENV);
    return token == null || token.isBlank()
        ? request
        : request.header("Authorization", "Bearer " + token.strip());
  }

  public boolean enabled() {
    return !hashes.isEmpty();
  }

  public List<String> hexHashes() {
    return hashes.stream().map(HexFormat.of()::formatHex).toList();
  }

  @Override
  public boolean configured() {
    return enabled();
  }

  @Override
  public Optional<String> nameOf(String token) {
    byte[] presented = sha256(token.strip());
    byte[] found = null;
    for (byte[] h : hashes) {
      if (MessageDigest.isEqual(h, presented)) { // every hash compared: no early exit
        found = h;
      }
    }
    return found == null
        ? Optional.empty()
        : Optional.of("token:" + HexFormat.of().formatHex(found).substring(0, 8));
  }

  /** Checks a request's Authorization header; throws the 401 when auth is on and it fails. */
  void check(String authorization) {
    if (!enabled()) {
      return;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthorized("This proxy needs a client token: send 'Authorization: Bearer <token>'.");
    }
    byte[] presented = sha256(authorization.substring(7).strip());
    boolean match = false;
    for (byte[] h : hashes) {
      match |= MessageDigest.isEqual(h, presented); // every hash compared: no early exit
    }
    if (!match) {
      throw unauthorized("The client token is not valid for this proxy.");
    }
  }

  private static ProxyException unauthorized(String message) {
    return new ProxyException(
        401,
        "authentication_error",
        "invalid_client_credential",
        null,
        message,
        java.util.Map.of("WWW-Authenticate", "Bearer"));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
