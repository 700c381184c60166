package io.rocksraft.jepsen.run;

import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's self-contained HTML page: the verdicts, the faults, and per workload a plot of each
 * operation's latency over time (ok, fail, info) and of throughput, with the faults shaded, in the
 * manner of Jepsen's perf graphs. Inline SVG, no scripts, no downloads.
 */
final class Report {
  private static final int W = 1000;
  private static final int H = 260;
  private static final int PAD = 50;
  private static final Map<Op.Type, String> COLOURS = Map.of(Op.Type.ok, "#2a9d4b", Op.Type.fail, "#d62828",
      Op.Type.info, "#f4a300");

  private Report() {}

  static void write(Path file, List<History> histories, List<String> names, Runner.Result result) throws IOException {
    long end = 1;
    for (History h : histories) {
      for (Op op : h.ops()) {
        end = Math.max(end, op.time());
      }
    }
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>rocksraft "
        + "fault-injection run</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;"
        + "text-align:left}.VALID{color:#2a9d4b}.INVALID{color:#d62828}.UNKNOWN{color:#f4a300}</style></head><body>");
    html.append("<h1>Run: <span class=\"").append(result.verdict()).append("\">").append(result.verdict())
        .append("</span></h1><table><tr><th>checker</th><th>verdict</th><th>summary</th></tr>");
    for (CheckResult c : result.checks()) {
      html.append("<tr><td>").append(esc(c.checker())).append("</td><td class=\"").append(c.verdict()).append("\">")
          .append(c.verdict()).append("</td><td>").append(esc(c.summary())).append("</td></tr>");
    }
    html.append("</table><h2>Faults</h2><table><tr><th>from (s)</th><th>to (s)</th><th>nemesis</th><th>what</th></tr>");
    for (Timeline.Interval i : result.faults()) {
      html.append("<tr><td>").append(sec(i.start())).append("</td><td>").append(i.end() < 0 ? "-" : sec(i.end()))
          .append("</td><td>").append(esc(i.nemesis())).append("</td><td>").append(esc(i.description()))
          .append(i.healError() == null ? "" : " (heal failed: " + esc(i.healError()) + ")").append("</td></tr>");
    }
    html.append("</table>");
    for (int k = 0; k < histories.size(); k++) {
      html.append("<h2>").append(esc(names.get(k))).append("</h2>");
      html.append(latencyPlot(histories.get(k), result.faults(), end));
      html.append(throughputPlot(histories.get(k), result.faults(), end));
    }
    html.append("</body></html>");
    Files.writeString(file, html, StandardCharsets.UTF_8);
  }

  private static String latencyPlot(History h, List<Timeline.Interval> faults, long end) {
    double maxMs = 1;
    for (History.Pair p : h.pairs()) {
      if (p.completion().time() != Long.MAX_VALUE) {
        maxMs = Math.max(maxMs, (p.completion().time() - p.invoke().time()) / 1e6);
      }
    }
    double logMax = Math.log10(maxMs * 1.2);
    StringBuilder svg = frame("latency (ms, log scale) over time (s); green ok, red fail, orange info", faults, end);
    for (History.Pair p : h.pairs()) {
      if (p.completion().time() == Long.MAX_VALUE) {
        continue;
      }
      double ms = Math.max(0.1, (p.completion().time() - p.invoke().time()) / 1e6);
      double y = H - PAD - (Math.log10(ms) + 1) / (logMax + 1) * (H - 2 * PAD);
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\" fill=\"%s\"/>",
          x(p.invoke().time(), end), y, COLOURS.get(p.completion().type())));
    }
    axisLabel(svg, String.format(Locale.ROOT, "%.0f ms", maxMs * 1.2), 0.1);
    return svg.append("</svg>").toString();
  }

  private static String throughputPlot(History h, List<Timeline.Interval> faults, long end) {
    Map<Long, Integer> perSecond = new TreeMap<>();
    for (History.Pair p : h.pairs()) {
      if (p.ok()) {
        perSecond.merge(p.completion().time() / 1_000_000_000L, 1, Integer::sum);
      }
    }
    int max = Math.max(1, perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(1));
    StringBuilder svg = frame("ok operations per second", faults, end);
    StringBuilder points = new StringBuilder();
    for (long s = 0; s <= end / 1_000_000_000L; s++) {
      double y = H - PAD - perSecond.getOrDefault(s, 0) / (double) max * (H - 2 * PAD);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s * 1_000_000_000L, end), y));
    }
    svg.append("<polyline fill=\"none\" stroke=\"#1d4e89\" stroke-width=\"1.5\" points=\"").append(points)
        .append("\"/>");
    axisLabel(svg, max + "/s", 0);
    return svg.append("</svg>").toString();
  }

  /** The plot area, its time axis, and the faults shaded and labelled. */
  private static StringBuilder frame(String title, List<Timeline.Interval> faults, long end) {
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" style=\"display:block\">", W, H));
    svg.append("<text x=\"").append(PAD).append("\" y=\"16\" font-size=\"13\">").append(esc(title)).append("</text>");
    for (Timeline.Interval i : faults) {
      double from = x(i.start(), end);
      double to = x(i.end() < 0 ? end : i.end(), end);
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#888\" "
          + "fill-opacity=\"0.18\"><title>%s</title></rect>", from, PAD, Math.max(1, to - from), H - 2 * PAD,
          esc(i.nemesis() + ": " + i.description())));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>", from + 2, PAD - 4,
          esc(i.nemesis())));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>", PAD,
        H - PAD, W - PAD, H - PAD));
    for (int t = 0; t <= 10; t++) {
      long at = end / 10 * t;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>", x(at, end),
          H - PAD + 14, sec(at)));
    }
    return svg;
  }

  private static void axisLabel(StringBuilder svg, String top, double bottom) {
    svg.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"10\">%s</text>", PAD + 4, esc(top)));
    svg.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"10\">%s</text>", H - PAD,
        bottom == 0 ? "0" : String.valueOf(bottom)));
  }

  private static double x(long nanos, long end) {
    return PAD + nanos / (double) end * (W - 2 * PAD);
  }

  private static String sec(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
