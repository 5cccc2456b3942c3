package dev.novaproxy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationTest {
  @Test
  void should_send_the_system_prompt_then_every_turn_then_the_question() {
    Conversation c = new Conversation(10_000);
    c.system("be brief");
    c.add(Message.user("q1"), Message.assistant("a1"));
    List<Message> sent = c.with(Message.user("q2"));
    assertThat(sent)
        .extracting(Message::role)
        .containsExactly("system", "user", "assistant", "user");
    assertThat(sent).extracting(Message::text).containsExactly("be brief", "q1", "a1", "q2");
  }

  @Test
  void should_drop_the_oldest_turns_but_never_the_system_prompt_when_over_budget() {
    String big = "x".repeat(300);
    Conversation c = new Conversation(1_100);
    c.system("keep me");
    c.add(Message.user("q1 " + big), Message.assistant("a1"));
    c.add(Message.user("q2 " + big), Message.assistant("a2"));
    c.add(Message.user("q3"), Message.assistant("a3"));

    int dropped = c.makeRoomFor(Message.user("q4 " + big));

    assertThat(dropped).isEqualTo(1);
    assertThat(c.system()).contains("keep me");
    assertThat(c.turns()).extracting(Message::text).startsWith("q2 " + big);
    assertThat(c.size() + Message.user("q4 " + big).size()).isLessThanOrEqualTo(1_100);
  }

  @Test
  void should_drop_everything_but_the_system_prompt_when_the_question_alone_is_too_big() {
    Conversation c = new Conversation(100);
    c.system("s");
    c.add(Message.user("q1"), Message.assistant("a1"));
    assertThat(c.makeRoomFor(Message.user("y".repeat(500)))).isEqualTo(1);
    assertThat(c.turns()).isEmpty();
    assertThat(c.system()).contains("s");
  }

  @Test
  void should_take_a_leading_system_message_as_the_prompt_when_replaced() {
    Conversation c = new Conversation(10_000);
    c.replace(List.of(Message.system("sys"), Message.user("q"), Message.assistant("a")));
    assertThat(c.system()).contains("sys");
    assertThat(c.turns()).hasSize(2);
    assertThat(c.all()).extracting(Message::role).containsExactly("system", "user", "assistant");
  }

  @Test
  void should_remove_the_last_turn_and_return_its_question() {
    Conversation c = new Conversation(10_000);
    c.add(Message.user("q1"), Message.assistant("a1"));
    c.add(Message.user("q2"), Message.assistant("a2"));
    assertThat(c.removeLastTurn()).map(Message::text).contains("q2");
    assertThat(c.turns()).extracting(Message::text).containsExactly("q1", "a1");
    c.reset();
    assertThat(c.removeLastTurn()).isEmpty();
  }

  @Test
  void should_keep_the_system_prompt_on_reset_and_remove_it_when_blank() {
    Conversation c = new Conversation(10_000);
    c.system("sys");
    c.add(Message.user("q"), Message.assistant("a"));
    c.reset();
    assertThat(c.all()).extracting(Message::text).containsExactly("sys");
    c.system(" ");
    assertThat(c.all()).isEmpty();
  }
}
