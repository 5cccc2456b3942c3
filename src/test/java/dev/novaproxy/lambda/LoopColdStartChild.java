package dev.novaproxy.lambda;

import java.util.Map;

/**
 * A fresh JVM running the runtime loop with a fixed key instead of Secrets Manager, for {@code
 * LambdaColdStart}: the same footing as its managed-handler child, which is also given the key.
 */
public final class LoopColdStartChild {
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    System.exit(
        RuntimeLoop.run(
            new RuntimeApi(env.get(RuntimeApi.ENV_RUNTIME_API)),
            env,
            () -> "bench-key-not-secret",
            () -> {}));
  }

  private LoopColdStartChild() {}
}
