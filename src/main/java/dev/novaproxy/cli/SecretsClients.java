package dev.novaproxy.cli;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/** A Secrets Manager client for {@code serve --secret-name}, honouring the global AWS options. */
final class SecretsClients {
  static SecretsManagerClient build(GlobalOptions global) {
    SecretsManagerClientBuilder b = SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    if (global.region != null) {
      b.region(Region.of(global.region));
    }
    if (global.profile != null) {
      b.credentialsProvider(ProfileCredentialsProvider.create(global.profile));
    }
    if (global.endpointUrl != null) {
      b.endpointOverride(URI.create(global.endpointUrl));
    }
    return b.build();
  }

  private SecretsClients() {}
}
