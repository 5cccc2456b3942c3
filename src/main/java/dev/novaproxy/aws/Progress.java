package dev.novaproxy.aws;

/** Where deploy and destroy report what they are doing, one line at a time. */
@FunctionalInterface
public interface Progress {
  void line(String text);

  static Progress silent() {
    return text -> {};
  }
}
