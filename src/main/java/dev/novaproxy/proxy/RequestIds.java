package dev.novaproxy.proxy;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: the client's own when it is well-formed (so traces join up), else a new one. */
public final class RequestIds {
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:\\-]{8,128}");

  public static String from(String clientId) {
    if (clientId != null && WELL_FORMED.matcher(clientId).matches()) {
      return clientId;
    }
    return "req_" + UUID.randomUUID().toString().replace("-", "");
  }

  private RequestIds() {}
}
