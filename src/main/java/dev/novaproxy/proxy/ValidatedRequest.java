package dev.novaproxy.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat completion request that passed validation and had the policy applied: the body to send
 * upstream (unknown fields kept unchanged), the model it names and whether it asks to stream.
 */
public record ValidatedRequest(ObjectNode body, String model, boolean stream) {}
