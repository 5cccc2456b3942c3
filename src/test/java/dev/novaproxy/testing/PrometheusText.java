package dev.novaproxy.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): it refuses what
 * the format does not allow (a sample before its family's TYPE, a bad metric or label name, an
 * unescaped quote, a value that is not a float, non-cumulative histogram buckets, a {@code +Inf}
 * bucket that differs from {@code _count}) and returns each sample by name and labels.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?\\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

  /** A sample: its name and labels (sorted), its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> types = new HashMap<>();

  private PrometheusText() {}

  /**
   * @throws AssertionError naming the first line the format does not allow
   */
  public static PrometheusText parse(String text) {
    PrometheusText out = new PrometheusText();
    if (!text.endsWith("\n")) {
      throw new AssertionError("the exposition must end with a line feed");
    }
    int n = 0;
    for (String line : text.split("\n")) {
      n++;
      out.line(line, n);
    }
    out.checkHistograms();
    return out;
  }

  private void line(String line, int n) {
    if (line.startsWith("# HELP ")) {
      require(HELP.matcher(line).matches(), n, line);
      return;
    }
    Matcher type = TYPE.matcher(line);
    if (line.startsWith("# TYPE ")) {
      require(type.matches(), n, line);
      require(types.put(type.group(1), type.group(2)) == null, n, "second TYPE: " + line);
      return;
    }
    if (line.startsWith("#") || line.isBlank()) {
      return;
    }
    Matcher m = SAMPLE.matcher(line);
    require(m.matches(), n, line);
    String name = m.group(1);
    require(types.containsKey(family(name)), n, "no TYPE before " + line);
    Map<String, String> labels = new TreeMap<>();
    if (m.group(3) != null && !m.group(3).isEmpty()) {
      Matcher l = LABEL.matcher(m.group(3));
      int at = 0;
      while (at < m.group(3).length()) {
        require(l.find(at) && l.start() == at, n, "bad labels: " + line);
        require(labels.put(l.group(1), unescape(l.group(2))) == null, n, "repeated label");
        at = l.end();
      }
    }
    double value;
    try {
      value = parseValue(m.group(4));
    } catch (NumberFormatException e) {
      throw new AssertionError("line " + n + ": not a value: " + line);
    }
    samples.add(new Sample(name, labels, value));
  }

  private String family(String name) {
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
          return base;
        }
      }
    }
    return name;
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static String unescape(String v) {
    return v.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private void checkHistograms() {
    types.forEach(
        (name, type) -> {
          if (!type.equals("histogram")) {
            return;
          }
          Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
          for (Sample s : samples) {
            if (s.name().equals(name + "_bucket")) {
              Map<String, String> rest = new TreeMap<>(s.labels());
              require(rest.remove("le") != null, 0, "bucket without le: " + s);
              buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
            }
          }
          buckets.forEach(
              (labels, list) -> {
                double previousLe = Double.NEGATIVE_INFINITY;
                double previous = 0;
                for (Sample b : list) {
                  double le = parseValue(b.labels().get("le"));
                  require(le > previousLe, 0, name + ": buckets out of order");
                  require(b.value() >= previous, 0, name + ": buckets not cumulative");
                  previousLe = le;
                  previous = b.value();
                }
                require(previousLe == Double.POSITIVE_INFINITY, 0, name + ": no +Inf bucket");
                require(
                    previous == value(name + "_count", labels),
                    0,
                    name + ": +Inf bucket differs from _count");
              });
        });
  }

  private static void require(boolean ok, int line, String what) {
    if (!ok) {
      throw new AssertionError((line > 0 ? "line " + line + ": " : "") + what);
    }
  }

  /** The type a family was declared with, or null. */
  public String type(String family) {
    return types.get(family);
  }

  /** The value of the sample with exactly these labels, or NaN when there is none. */
  public double value(String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().equals(new TreeMap<>(labels))) {
        return s.value();
      }
    }
    return Double.NaN;
  }

  public List<Sample> samples() {
    return samples;
  }
}
