package dev.novaproxy.limits;

import dev.novaproxy.limits.Counters.Window;
import dev.novaproxy.limits.LimitsStore.Increment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The limits: who is calling ({@link #identify}), whether a client key may use a model ({@link
 * #checkModel}), and whether a request fits every limit that applies to it ({@link #reserve}: one
 * atomic store write for all of them, so concurrent requests cannot together pass a limit by more
 * than one request's worth). Every refusal is a {@link LimitRefusal} the proxy sends as is; a store
 * that fails makes the limits fail closed (503), the daily budget included.
 *
 * <p>Free of HTTP servers and AWS types: the proxy hands in the header, address and query string,
 * and a {@link LimitsStore} holds the keys and counters.
 */
public final class Limiter {
  /** How long a key looked up in the store is trusted: a revoked key is refused within this. */
  public static final Duration KEY_CACHE_TTL = Duration.ofSeconds(60);

  /** Longer Authorization headers are refused before anything is hashed or looked up. */
  public static final int MAX_AUTHORIZATION_CHARS = 1024;

  private static final int KEY_CACHE_ENTRIES = 10_000;
  private static final Set<String> CREDENTIAL_PARAMS =
      Set.of(
          "key",
          "api_key",
          "api-key",
          "apikey",
          "access_token",
          "token",
          "client_key",
          "auth",
          "authorization");
  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

  private final LimitsSettings settings;
  private final LimitsStore store;
  private final StaticTokens tokens;
  private final Clock clock;
  private final KeyCache keys;

  public Limiter(LimitsSettings settings, LimitsStore store, StaticTokens tokens, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.tokens = tokens;
    this.clock = clock;
    this.keys = new KeyCache(store, clock, KEY_CACHE_TTL, KEY_CACHE_ENTRIES);
  }

  public LimitsSettings settings() {
    return settings;
  }

  /**
   * Who is calling: a client key ({@code Authorization: Bearer np_…}), a static client token, or an
   * anonymous caller by source address.
   *
   * @param authorization the Authorization header, or null
   * @param sourceIp the caller's address as the server or API Gateway saw it, or null if unknown
   * @param rawQuery the request's query string, or null
   * @throws LimitRefusal 400 for a credential in the query string, 431 for a huge Authorization
   *     header, 401 for a key that is malformed, unknown, revoked or expired (or a missing one
   *     where one is needed), 503 when the store cannot be read
   */
  public Caller identify(String authorization, String sourceIp, String rawQuery) {
    if (rawQuery != null && carriesCredential(rawQuery)) {
      throw LimitRefusal.invalid(
          400,
          "credential_in_query",
          null,
          "Send the client key in the Authorization header ('Authorization: Bearer np_…'), never"
              + " in the URL, where logs and browser histories keep it. The request was not"
              + " forwarded; if that was a real key, revoke it.");
    }
    if (authorization != null && authorization.length() > MAX_AUTHORIZATION_CHARS) {
      throw LimitRefusal.invalid(
          431,
          "authorization_too_large",
          null,
          "The Authorization header is longer than "
              + MAX_AUTHORIZATION_CHARS
              + " characters; a client key is 46.");
    }
    String bearer = bearer(authorization);
    if (authorization != null
        && !authorization.isBlank()
        && bearer == null
        && tokens.configured()) {
      throw LimitRefusal.unauthorized(
          "invalid_client_credential",
          "This proxy needs a client key or token: send 'Authorization: Bearer <key>'.");
    }
    if (bearer != null && bearer.startsWith(ClientKey.PREFIX)) {
      return Caller.of(key(bearer));
    }
    if (bearer != null && tokens.configured()) {
      return tokens
          .nameOf(bearer)
          .map(Caller::staticToken)
          .orElseThrow(
              () ->
                  LimitRefusal.unauthorized(
                      "invalid_client_credential",
                      "The client token is not valid for this proxy."));
    }
    // No credential (or, with no static tokens configured, a bearer that is not a client key:
    // SDKs send some "API key" whatever the server wants, and it was ignored before keys too).
    if (tokens.configured()) {
      throw LimitRefusal.unauthorized(
          "invalid_client_credential",
          "This proxy needs a client key or token: send 'Authorization: Bearer <key>'.");
    }
    if (!settings.anonymous()) {
      throw LimitRefusal.unauthorized(
          "client_key_required",
          "This proxy serves only callers with a client key: send 'Authorization: Bearer np_…'.");
    }
    return Caller.anonymous(countedAddress(sourceIp));
  }

  private ClientKey key(String secret) {
    if (!ClientKey.isWellFormed(secret)) {
      throw LimitRefusal.unauthorized(
          "invalid_client_key",
          "The client key is malformed: a key is 'np_' followed by 43 letters, digits, '-' or '_',"
              + " as 'keys create' printed it.");
    }
    Optional<ClientKey> found;
    try {
      found = keys.find(ClientKey.hashOf(secret));
    } catch (LimitsStore.StoreUnavailable e) {
      throw LimitRefusal.storeUnavailable(e);
    }
    ClientKey key =
        found.orElseThrow(
            () ->
                LimitRefusal.unauthorized(
                    "invalid_client_key", "The client key is not valid for this proxy."));
    Instant now = clock.instant();
    if (key.revoked() != null) {
      throw LimitRefusal.unauthorized(
          "client_key_revoked", "The client key '" + key.name() + "' has been revoked.");
    }
    if (!key.usableAt(now)) {
      throw LimitRefusal.unauthorized(
          "client_key_expired",
          "The client key '" + key.name() + "' expired at " + key.expires() + ".");
    }
    return key;
  }

  /**
   * Refuses a model the caller's key may not use (403); the deployment's own model policy is
   * checked before this.
   */
  public void checkModel(Caller caller, String model) {
    if (caller.key() != null && !caller.key().allowsModel(model)) {
      throw LimitRefusal.forbidden(
          "model_not_allowed_for_key",
          "model",
          "The client key '"
              + caller.key().name()
              + "' may not use the model '"
              + model
              + "'; it may use: "
              + String.join(", ", new java.util.TreeSet<>(caller.key().models()))
              + ".");
    }
  }

  /**
   * The smallest daily token limit that applies to this caller, or empty when none does (then its
   * output need not be bounded for the limits' sake).
   */
  public OptionalLong tokenLimit(Caller caller) {
    long least = Long.MAX_VALUE;
    if (settings.dailyTokenBudget() != null) {
      least = Math.min(least, settings.dailyTokenBudget());
    }
    if (caller.key() != null && caller.key().tokensPerDay() != null) {
      least = Math.min(least, caller.key().tokensPerDay());
    }
    if (caller.anonymous() && settings.anonymousTokensPerDay() != null) {
      least = Math.min(least, settings.anonymousTokensPerDay());
    }
    return least == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(least);
  }

  /**
   * Counts one request and reserves {@code tokens} for it against every limit that applies, in one
   * atomic store write, or refuses it.
   *
   * @param tokens the most the request can use: its output limit plus an estimate of its prompt
   * @throws LimitRefusal 429 naming the limit, with the seconds until its window resets; 503 when
   *     the store fails
   */
  public Reservation reserve(Caller caller, long tokens) {
    Instant now = clock.instant();
    LocalDate day = Counters.day(now);
    long need = Math.max(1, tokens);
    List<Increment> increments = new ArrayList<>();
    List<Limit> limits = new ArrayList<>();
    List<Increment> tokenCounters = new ArrayList<>();
    ClientKey key = caller.key();
    if (key != null && key.rpm() != null) {
      increments.add(
          Increment.within(
              Counters.keyRpm(key.name(), now), 1, key.rpm(), Counters.expiry(Window.MINUTE, now)));
      limits.add(
          new Limit(
              "key_rate_limited",
              Window.MINUTE,
              "The client key '"
                  + key.name()
                  + "' is over its limit of "
                  + key.rpm()
                  + " requests per minute"));
    }
    if (!caller.anonymous()) {
      increments.add(
          Increment.always(
              Counters.keyRequests(caller.keyName(), day), 1, Counters.keyHistoryExpiry(now)));
      limits.add(null);
      Long perDay = key == null ? null : key.tokensPerDay();
      Increment t =
          new Increment(
              Counters.keyTokens(caller.keyName(), day),
              need,
              perDay == null ? Increment.NO_LIMIT : perDay,
              Counters.keyHistoryExpiry(now));
      increments.add(t);
      tokenCounters.add(t);
      limits.add(
          perDay == null
              ? null
              : new Limit(
                  "key_daily_tokens_exhausted",
                  Window.DAY,
                  need > perDay
                      ? "This request may use up to "
                          + need
                          + " tokens (its max_tokens plus an estimate of the prompt), more than"
                          + " the client key's daily limit of "
                          + perDay
                          + ": lower max_tokens"
                      : "The client key '"
                          + key.name()
                          + "' has used its "
                          + perDay
                          + " tokens for today (UTC)"));
    }
    if (caller.anonymous() && settings.anonymousRpm() != null) {
      increments.add(
          Increment.within(
              Counters.ipRpm(caller.ip(), now),
              1,
              settings.anonymousRpm(),
              Counters.expiry(Window.MINUTE, now)));
      limits.add(
          new Limit(
              "ip_rate_limited",
              Window.MINUTE,
              "Requests without a client key are limited to "
                  + settings.anonymousRpm()
                  + " a minute from each address"));
    }
    if (caller.anonymous() && settings.anonymousTokensPerDay() != null) {
      long perDay = settings.anonymousTokensPerDay();
      Increment t =
          Increment.within(
              Counters.ipTokens(caller.ip(), day), need, perDay, Counters.expiry(Window.DAY, now));
      increments.add(t);
      tokenCounters.add(t);
      limits.add(
          new Limit(
              "ip_daily_tokens_exhausted",
              Window.DAY,
              need > perDay
                  ? "This request may use up to "
                      + need
                      + " tokens (its max_tokens plus an estimate of the prompt), more than the "
                      + perDay
                      + " a day allowed per address without a client key: lower"
                      + " max_tokens"
                  : "Requests without a client key from this address have used their "
                      + perDay
                      + " tokens for today (UTC)"));
    }
    if (settings.dailyTokenBudget() != null) {
      Increment t =
          Increment.within(
              Counters.budget(day),
              need,
              settings.dailyTokenBudget(),
              Counters.expiry(Window.DAY, now));
      increments.add(t);
      tokenCounters.add(t);
      limits.add(
          new Limit(
              "daily_budget_exhausted",
              Window.DAY,
              "This proxy has used its daily token budget; it answers again after midnight UTC"));
    }
    if (increments.isEmpty()) {
      return Reservation.none();
    }
    OptionalInt refused;
    try {
      refused = store.reserve(increments);
    } catch (LimitsStore.StoreUnavailable e) {
      throw LimitRefusal.storeUnavailable(e);
    }
    if (refused.isPresent()) {
      Limit limit = limits.get(refused.getAsInt());
      if (limit == null) {
        // An unlimited counter cannot be refused; a store that says so is broken.
        throw LimitRefusal.storeUnavailable(
            new LimitsStore.StoreUnavailable(
                "The limits store refused an increment that has no limit ("
                    + increments.get(refused.getAsInt()).counter().replaceAll("#.*", "")
                    + ").",
                null));
      }
      long seconds = limit.window().secondsToReset(now);
      throw LimitRefusal.overLimit(
          limit.code(), limit.message() + "; retry after " + seconds + " s.", seconds);
    }
    return new Reservation(store, tokenCounters, need);
  }

  /** What an increment enforces, to name it when it is refused. */
  private record Limit(String code, Window window, String message) {}

  /** The token of {@code Bearer <token>}, or null when the header is not that. */
  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /** Whether a query string carries something that looks like a key or token. */
  static boolean carriesCredential(String rawQuery) {
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (CREDENTIAL_PARAMS.contains(name)
          || looksLikeCredential(name)
          || looksLikeCredential(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean looksLikeCredential(String s) {
    String v = s.strip().toLowerCase(Locale.ROOT);
    return v.startsWith(ClientKey.PREFIX) || v.startsWith("npc_") || v.startsWith("bearer ");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a stray '%': look at it as it is
    }
  }

  /**
   * The address anonymous limits count under: IPv4 as is, IPv6 per /64 (a host usually holds a
   * whole /64, so counting single addresses would let it through many times over).
   */
  static String countedAddress(String sourceIp) {
    // A link-local IPv6 address may come with its interface (fe80::1%eth0): not part of it.
    String ip = sourceIp == null ? "" : sourceIp.strip().replaceFirst("%.*$", "");
    if (!ADDRESS.matcher(ip).matches()) {
      return "unknown";
    }
    if (!ip.contains(":")) {
      return ip;
    }
    try {
      // A literal is parsed, never looked up; the pattern above admits nothing else.
      InetAddress address = InetAddress.getByName(ip);
      if (!(address instanceof Inet6Address)) {
        return address.getHostAddress(); // an IPv4-mapped address
      }
      byte[] b = address.getAddress();
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return prefix.append(":/64").toString();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
