package dev.novaproxy.chat;

/**
 * A turn that failed, with a one-line message saying what to do. The kind decides the CLI's exit
 * code; in the REPL the message is shown and the session goes on.
 */
public final class ChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** No connection, or no answer in time: the proxy is not running or not healthy. */
    UNREACHABLE,
    /** The proxy answered 4xx: the request was refused (its message says why). */
    REJECTED,
    /** The proxy answered 429: too many requests; try again later. */
    RATE_LIMITED,
    /** The proxy answered 5xx, or an answer that is not a chat completion. */
    PROXY_FAILED,
    /** The user stopped the answer (Ctrl-C). */
    STOPPED
  }

  private final Kind kind;
  private final int status;

  public ChatException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  public ChatException(Kind kind, String message) {
    this(kind, 0, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status the proxy answered with, or 0 when there was no answer. */
  public int status() {
    return status;
  }
}
