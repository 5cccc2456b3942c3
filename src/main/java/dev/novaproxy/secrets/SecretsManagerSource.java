package dev.novaproxy.secrets;

import dev.novaproxy.proxy.SecretSource;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * The Nova key from AWS Secrets Manager. The client is made on first use, not at start-up: under
 * SnapStart nothing touches AWS (or the key) before the snapshot.
 */
public final class SecretsManagerSource implements SecretSource {
  private final String secretName;
  private final Supplier<SecretsManagerClient> clients;
  private SecretsManagerClient client;

  public SecretsManagerSource(String secretName, Supplier<SecretsManagerClient> clients) {
    this.secretName = secretName;
    this.clients = clients;
  }

  @Override
  public String fetch() {
    try {
      String value =
          client()
              .getSecretValue(GetSecretValueRequest.builder().secretId(secretName).build())
              .secretString();
      if (value == null || value.isBlank()) {
        throw new SecretUnavailableException("secret " + secretName + " has no string value", null);
      }
      return value;
    } catch (ResourceNotFoundException e) {
      throw new SecretUnavailableException("secret " + secretName + " does not exist", e);
    } catch (SdkException e) {
      // SDK messages name the secret and the error, never its value.
      throw new SecretUnavailableException(
          "cannot read secret " + secretName + ": " + e.getMessage(), e);
    }
  }

  private synchronized SecretsManagerClient client() {
    if (client == null) {
      client = clients.get();
    }
    return client;
  }
}
