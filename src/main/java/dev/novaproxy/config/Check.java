package dev.novaproxy.config;

/** A rule for one value of a setting. */
@FunctionalInterface
public interface Check {
  /**
   * What is wrong with {@code value} (stripped, not empty), as a clause that quotes the value where
   * repeating it is safe, e.g. "'99999' is not a port from 0 to 65535"; null when nothing is.
   */
  String problem(String value);
}
