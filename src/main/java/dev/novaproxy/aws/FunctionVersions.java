package dev.novaproxy.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * The function's published versions: what {@code status} lists and what {@code rollback --to}
 * checks a version against. Each version's description says what changed when deploy published it
 * ({@link #note}), since a version is immutable and that is the one place the note can live.
 */
public final class FunctionVersions {
  /**
   * One published version.
   *
   * @param version its number
   * @param published when deploy published it
   * @param note what changed against the version live before it
   */
  public record Version(String version, Instant published, String note) {}

  private final AwsClients aws;

  public FunctionVersions(AwsClients aws) {
    this.aws = aws;
  }

  /** Every published version, newest first ($LATEST is not one). */
  public List<Version> list(String function) {
    List<Version> out = new ArrayList<>();
    // Lambda lists oldest first, 50 to a page.
    for (FunctionConfiguration c :
        aws.lambda().listVersionsByFunctionPaginator(r -> r.functionName(function)).versions()) {
      if (c.version().matches("[0-9]+")) {
        out.add(
            new Version(
                c.version(),
                DeploymentStatus.parseLambdaTime(c.lastModified()),
                c.description() == null ? "" : c.description()));
      }
    }
    out.sort(Comparator.comparingLong((Version v) -> Long.parseLong(v.version())).reversed());
    return out;
  }

  /**
   * The description a new version gets: the plan's change lines against the version live before it,
   * trimmed to Lambda's 256 characters.
   */
  static String note(List<String> changes) {
    String all = changes.isEmpty() ? "first deploy" : String.join("; ", changes);
    return all.length() <= LiveAlias.MAX_DESCRIPTION
        ? all
        : all.substring(0, LiveAlias.MAX_DESCRIPTION - 1) + "…";
  }
}
