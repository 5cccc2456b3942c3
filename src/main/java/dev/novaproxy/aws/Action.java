package dev.novaproxy.aws;

/** What a plan does to one resource. */
public enum Action {
  CREATE,
  UPDATE,
  UNCHANGED,
  DELETE;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
