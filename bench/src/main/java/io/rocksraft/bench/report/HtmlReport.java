package io.rocksraft.bench.report;

import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.run.Second;
import io.rocksraft.bench.run.Stats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One self-contained HTML page (inline SVG, no scripts, nothing fetched) with throughput and
 * latency per second of one run, or of both stores of a comparison on the same axes.
 */
public final class HtmlReport {
  private static final List<String> COLOURS = List.of("#c0392b", "#2471a3", "#27ae60");

  private HtmlReport() {}

  public static void write(Path file, String title, String description, List<RunResult> runs) {
    int warmup = ((Number) runs.get(0).options().get("warmupSeconds")).intValue();
    SvgChart throughput = new SvgChart("Throughput per second", "ops/s", warmup);
    SvgChart latency = new SvgChart("Latency per second (p99 solid, p50 dashed)", "ms", warmup);
    for (int i = 0; i < runs.size(); i++) {
      RunResult run = runs.get(i);
      String colour = COLOURS.get(i % COLOURS.size());
      throughput.add(new SvgChart.Series(run.target(), colour, "", values(run, s -> s.ops())));
      latency.add(new SvgChart.Series(run.target() + " p99", colour, "", values(run, Second::p99)));
      latency.add(new SvgChart.Series(run.target() + " p50", colour, "5,4", values(run, Second::p50)));
    }
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}</style></head><body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n<p>").append(escape(description)).append("</p>\n");
    html.append("<table><tr><th>target</th><th>ops/s</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th>"
        + "<th>max ms</th><th>ops</th><th>errors</th></tr>\n");
    for (RunResult run : runs) {
      Stats s = run.summary();
      html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
              + "<td>%.2f</td><td>%d</td><td>%d</td></tr>%n", escape(run.target()), s.throughput(), s.p50(), s.p99(),
          s.p999(), s.max(), s.ops(), s.errors()));
    }
    html.append("</table>\n<p>Latencies of successful operations only; failed ones count as errors. "
        + "Each point is one second, by completion time.</p>\n");
    html.append(throughput.render()).append(latency.render());
    for (RunResult run : runs) {
      if (!run.errorSamples().isEmpty()) {
        html.append("<p>").append(escape(run.target())).append(" errors, for example:</p><ul>");
        run.errorSamples().forEach(e -> html.append("<li>").append(escape(e)).append("</li>"));
        html.append("</ul>\n");
      }
    }
    html.append("</body></html>\n");
    try {
      Files.writeString(file, html);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static double[] values(RunResult run, ToDoubleFunction<Second> value) {
    return run.timeline().stream().mapToDouble(value).toArray();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
