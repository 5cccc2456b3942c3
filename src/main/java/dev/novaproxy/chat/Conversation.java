package dev.novaproxy.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The messages sent with every turn: an optional system prompt, then the turns so far. A budget in
 * characters bounds what is sent, because the proxy and Nova reject a context that is too long;
 * when a new question would pass it, whole turns are dropped from the oldest, never the system
 * prompt. Characters, not tokens: the client has no tokenizer, and the budget only needs to be
 * safe.
 */
public final class Conversation {
  public static final int DEFAULT_BUDGET_CHARS = 100_000;

  private final int budgetChars;
  private Message system;
  private final List<Message> turns = new ArrayList<>();

  public Conversation(int budgetChars) {
    if (budgetChars < 1) {
      throw new IllegalArgumentException("the budget must be positive");
    }
    this.budgetChars = budgetChars;
  }

  public int budgetChars() {
    return budgetChars;
  }

  public Optional<String> system() {
    return Optional.ofNullable(system).map(Message::text);
  }

  /** Sets the system prompt; null or blank removes it. */
  public void system(String text) {
    system = text == null || text.isBlank() ? null : Message.system(text);
  }

  /** Drops the turns; the system prompt is a setting, not part of the talk, so it stays. */
  public void reset() {
    turns.clear();
  }

  /** The messages after the system prompt. */
  public List<Message> turns() {
    return List.copyOf(turns);
  }

  /** Everything, system prompt first: what {@code /save} writes. */
  public List<Message> all() {
    List<Message> all = new ArrayList<>();
    if (system != null) {
      all.add(system);
    }
    all.addAll(turns);
    return all;
  }

  /**
   * Replaces the whole conversation (for {@code /load}); a leading system message becomes the
   * prompt.
   */
  public void replace(List<Message> messages) {
    turns.clear();
    system = null;
    for (Message m : messages) {
      if (m.role().equals("system") && system == null && turns.isEmpty()) {
        system = m;
      } else {
        turns.add(m);
      }
    }
  }

  /**
   * Makes room for {@code next} within the budget by dropping the oldest turns.
   *
   * @return how many turns were dropped
   */
  public int makeRoomFor(Message next) {
    int dropped = 0;
    while (!turns.isEmpty() && size() + next.size() > budgetChars) {
      int end = 1;
      while (end < turns.size() && !turns.get(end).role().equals("user")) {
        end++;
      }
      turns.subList(0, end).clear();
      dropped++;
    }
    return dropped;
  }

  /** The request's messages: the conversation followed by the new question. */
  public List<Message> with(Message next) {
    List<Message> all = all();
    all.add(next);
    return all;
  }

  /** Records a completed turn; a failed or stopped turn is never recorded. */
  public void add(Message question, Message answer) {
    turns.add(question);
    turns.add(answer);
  }

  /** Removes the last turn (for {@code /retry}) and returns its question, if there is one. */
  public Optional<Message> removeLastTurn() {
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (turns.get(i).role().equals("user")) {
        Message q = turns.get(i);
        turns.subList(i, turns.size()).clear();
        return Optional.of(q);
      }
    }
    return Optional.empty();
  }

  /** Characters currently held against the budget. */
  public int size() {
    int n = system == null ? 0 : system.size();
    for (Message m : turns) {
      n += m.size();
    }
    return n;
  }
}
