package dev.novaproxy.chat;

/**
 * One question, one answer, for scripts and CI: the answer (or with {@code json}, the proxy's JSON
 * answer) on standard output; any failure is thrown so that the command exits non-zero.
 */
public final class OneShot {
  private OneShot() {}

  public static Answer ask(
      ChatSession session, String question, boolean json, ChatPrinter printer) {
    Answer answer = session.ask(question, !json, Cancellation.forCurrentThread());
    if (json) {
      printer.info(
          answer.json() != null
              ? answer.json().toString()
              : Message.assistant(answer.text()).json().toString());
    }
    return answer;
  }
}
