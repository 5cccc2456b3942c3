package dev.novaproxy.aws;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The custom domain deploy gives the HTTP API ({@code deploy --domain}).
 *
 * @param name the domain, lower case, without a trailing dot, e.g. {@code chat.example.com}
 * @param hostedZoneId the Route 53 hosted zone chosen with {@code --hosted-zone-id}, or null to use
 *     the public zone whose name is the longest suffix of {@code name}
 */
public record DomainSetting(String name, String hostedZoneId) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ZONE_ID = Pattern.compile("[A-Z0-9]{1,32}");

  /**
   * A domain as a user typed it: one trailing dot and upper case are accepted.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static DomainSetting parse(String domain, String hostedZoneId) {
    String d = domain.strip().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.startsWith("*.")) {
      throw new IllegalArgumentException("a wildcard cannot be the API's domain");
    }
    if (d.length() > 253) {
      throw new IllegalArgumentException("longer than 253 characters");
    }
    String[] labels = d.split("\\.", -1);
    if (labels.length < 2) {
      throw new IllegalArgumentException("it needs a dot");
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            label.isEmpty()
                ? "it has an empty label (two dots in a row, or a leading dot)"
                : "'" + label + "' is not a DNS label (letters, digits and inner '-', at most 63)");
      }
    }
    if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("an IP address is not a domain name");
    }
    return new DomainSetting(d, zoneId(hostedZoneId));
  }

  /** A hosted zone ID as Route 53 prints it, with or without its "/hostedzone/" prefix. */
  public static String zoneId(String id) {
    if (id == null) {
      return null;
    }
    String z = id.strip();
    if (z.startsWith("/hostedzone/")) {
      z = z.substring("/hostedzone/".length());
    }
    if (!ZONE_ID.matcher(z).matches()) {
      throw new IllegalArgumentException(
          "'" + id + "' is not a hosted zone ID (upper-case letters and digits, e.g. Z0123456789)");
    }
    return z;
  }

  /** What the plan and {@code config show} print: the name, and the zone when one was chosen. */
  public String describe() {
    return hostedZoneId == null ? name : name + " (zone " + hostedZoneId + ")";
  }

  /** The proxy's chat route on the domain. */
  public String chatUrl() {
    return "https://" + name + "/chat";
  }
}
