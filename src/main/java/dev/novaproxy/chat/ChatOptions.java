package dev.novaproxy.chat;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one chat runs, as the command line asked.
 *
 * @param endpoint the proxy
 * @param model the model to ask for, or null for the proxy's default
 * @param system the system prompt, or null
 * @param stream whether to ask for a streamed answer
 * @param save where to write the transcript at the end, or null
 * @param load a transcript to start from, or null
 * @param budgetChars the conversation budget in characters
 * @param timeout how long to wait for an answer
 * @param color whether notices and the prompt may use colour
 */
public record ChatOptions(
    ChatEndpoint endpoint,
    String model,
    String system,
    boolean stream,
    Path save,
    Path load,
    int budgetChars,
    Duration timeout,
    boolean color) {}
