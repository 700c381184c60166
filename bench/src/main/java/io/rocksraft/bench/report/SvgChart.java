package io.rocksraft.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A line chart as inline SVG: seconds along x, one polyline per series, a shaded warm-up. */
final class SvgChart {
  /** One line: its name, colour, dash pattern (empty for solid) and y value per second (1-based). */
  record Series(String name, String colour, String dash, double[] values) {}

  private static final int WIDTH = 860;
  private static final int HEIGHT = 280;
  private static final int LEFT = 70;
  private static final int LEGEND_STEP = 150;
  private static final int RIGHT = 20;
  private static final int TOP = 48;
  private static final int BOTTOM = 40;

  private final String title;
  private final String unit;
  private final int warmupSeconds;
  private final List<Series> series = new ArrayList<>();

  SvgChart(String title, String unit, int warmupSeconds) {
    this.title = title;
    this.unit = unit;
    this.warmupSeconds = warmupSeconds;
  }

  SvgChart add(Series s) {
    series.add(s);
    return this;
  }

  String render() {
    int seconds = series.stream().mapToInt(s -> s.values().length).max().orElse(0);
    double max = niceCeiling(series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.values())).max().orElse(1));
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(f("<text x=\"%d\" y=\"18\" font-weight=\"bold\">%s</text>%n", LEFT, HtmlReport.escape(title)));
    if (warmupSeconds > 0 && seconds > 0) {
      svg.append(f("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#eee\"/>"
              + "<text x=\"%.1f\" y=\"%d\" fill=\"#888\">warm-up</text>%n", x(0, seconds, plotW), TOP,
          x(Math.min(warmupSeconds, seconds), seconds, plotW) - x(0, seconds, plotW), plotH,
          x(0, seconds, plotW) + 4, TOP + 14));
    }
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double y = TOP + plotH - plotH * i / 4;
      svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4,
          label(v)));
    }
    int step = Math.max(1, seconds / 10);
    for (int s = 0; s <= seconds; s += step) {
      svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x(s, seconds, plotW),
          HEIGHT - BOTTOM + 16, s));
    }
    svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">seconds</text>%n", LEFT + plotW / 2, HEIGHT - 6));
    svg.append(f("<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%s</text>%n",
        TOP + plotH / 2, TOP + plotH / 2, HtmlReport.escape(unit)));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      StringBuilder points = new StringBuilder();
      for (int k = 0; k < s.values().length; k++) {
        // The value of second k+1 is drawn at its end.
        double y = TOP + plotH - plotH * Math.min(s.values()[k], max) / max;
        points.append(f("%.1f,%.1f ", x(k + 1, seconds, plotW), y));
      }
      String dash = s.dash().isEmpty() ? "" : " stroke-dasharray=\"" + s.dash() + "\"";
      svg.append(f("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>%n", s.colour(), dash,
          points.toString().trim()));
      // The legend is a row of its own under the title, one entry per series.
      int lx = LEFT + LEGEND_STEP * i;
      svg.append(f("<line x1=\"%d\" y1=\"32\" x2=\"%d\" y2=\"32\" stroke=\"%s\" stroke-width=\"2\"%s/>"
          + "<text x=\"%d\" y=\"36\">%s</text>%n", lx, lx + 24, s.colour(), dash, lx + 30, HtmlReport.escape(s.name())));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double x(double second, int seconds, double plotW) {
    return LEFT + (seconds == 0 ? 0 : plotW * second / seconds);
  }

  /** 1, 2 or 5 times a power of ten, at least the value. */
  private static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= v) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static String label(double v) {
    return v >= 100 || v == Math.rint(v) ? f("%.0f", v) : f("%.2f", v);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
