package dev.novaproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorHandlerTest {
  @Test
  void should_fall_back_to_one_line_when_a_translator_itself_fails() {
    ErrorHandler.register(
        t -> {
          if (t instanceof IllegalStateException && "odd".equals(t.getMessage())) {
            throw new NullPointerException("translator bug");
          }
          return null;
        });
    var odd = new IllegalStateException("odd");
    CliException known = ErrorHandler.translate(odd);
    assertThat(known.getMessage()).isEqualTo("odd");
    assertThat(known.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(odd.getSuppressed()).hasSize(1);
  }
}
