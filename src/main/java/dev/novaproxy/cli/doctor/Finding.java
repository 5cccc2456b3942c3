package dev.novaproxy.cli.doctor;

/**
 * The outcome of one doctor check: its name, a verdict, what was found, and for a problem what to
 * do about it (null otherwise).
 */
public record Finding(String name, Status status, String message, String fix) {
  /** A check's verdict. Only {@link #FAIL} makes doctor exit non-zero. */
  public enum Status {
    OK("ok"),
    WARN("warn"),
    FAIL("FAIL"),
    /** Not run: switched off, or it needs something an earlier check found missing. */
    SKIP("skip");

    private final String mark;

    Status(String mark) {
      this.mark = mark;
    }

    /** How the verdict is shown: {@code ok}, {@code warn}, {@code FAIL}, {@code skip}. */
    public String mark() {
      return mark;
    }
  }

  public static Finding ok(String name, String message) {
    return new Finding(name, Status.OK, message, null);
  }

  public static Finding warn(String name, String message, String fix) {
    return new Finding(name, Status.WARN, message, fix);
  }

  public static Finding fail(String name, String message, String fix) {
    return new Finding(name, Status.FAIL, message, fix);
  }

  public static Finding skip(String name, String message) {
    return new Finding(name, Status.SKIP, message, null);
  }
}
