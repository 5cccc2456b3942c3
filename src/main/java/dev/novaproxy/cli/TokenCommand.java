package dev.novaproxy.cli;

import dev.novaproxy.proxy.ClientAuth;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Make a client token for a proxy that requires one.",
    description = {
      "Prints a new random client token and its SHA-256. Give the proxy the hash",
      "(--client-token-sha256 on serve or deploy, or the clientTokenSha256 setting) and your app",
      "the token, which it sends as",
      "'Authorization: Bearer TOKEN' (an OpenAI SDK's API key). The proxy never stores the token.",
      "This is not the Nova key: a client token only lets an app use the proxy, and can be",
      "replaced by deploying another hash.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  novaproxy token",
      "  novaproxy deploy --client-token-sha256 <hash>",
      "  novaproxy config set clientTokenSha256 <hash>     serve and deploy then require it",
      "  NOVAPROXY_CLIENT_TOKEN=<token> novaproxy chat -m ping"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:Success.", "2:Usage error."})
public final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String token = "npc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String hash = ClientAuth.sha256Hex(token);
    var out = spec.commandLine().getOut();
    if (global.json()) {
      out.println(Json.MAPPER.createObjectNode().put("token", token).put("sha256", hash));
    } else {
      out.println("token:  " + token);
      out.println("sha256: " + hash);
    }
    return ExitCodes.OK;
  }
}
