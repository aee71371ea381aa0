// Drawing the brightness plot (see the header). Geometry: a plot area inside fixed margins, PQ
// codes mapped linearly to height (the PQ axis), frames linearly to width.
#include "common/plot/brightness_svg.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/plot/pq_scale.h"

namespace mkvfleet::plot {
namespace {

constexpr int kLeft = 64, kRight = 16, kTop = 40, kBottom = 36;
constexpr char kMaxColour[] = "#d9480f";
constexpr char kAvgColour[] = "#1c7ed6";
constexpr char kSceneColour[] = "#868e96";
// Above this many scene starts, cuts become ticks under the axis instead of full-height lines.
constexpr int64_t kMaxSceneLines = 200;

struct Area {
  double x0, y0, w, h;
  int64_t frames;
  double X(double frame) const { return x0 + w * frame / std::max<int64_t>(1, frames); }
  double Y(double pq) const { return y0 + h - h * std::clamp(pq, 0.0, double{kMaxPqCode}) / kMaxPqCode; }
};

std::string FormatNits(double nits) {
  if (nits >= 100) return absl::StrFormat("%.0f", nits);
  if (nits >= 1) return absl::StrFormat("%.1f", nits);
  return absl::StrFormat("%.3f", nits);
}

std::string FormatTime(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  return absl::StrFormat("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
}

// About five round steps over [0, total].
double TickStep(double total) {
  const double raw = std::max(total / 5.0, 1.0);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

void Axes(const Area& a, const BrightnessPlotOptions& o, std::string& svg) {
  for (double nits : {0.1, 1.0, 10.0, 100.0, 1000.0, 4000.0, 10000.0}) {
    const double y = a.Y(NitsToPqCode(nits));
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dee2e6\" "
                          "stroke-width=\"1\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                          "text-anchor=\"end\" fill=\"#495057\">%s</text>\n",
                          a.x0, y, a.x0 + a.w, y, a.x0 - 6, y + 4, FormatNits(nits));
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"14\" y=\"%.1f\" font-size=\"11\" fill=\"#495057\" "
                        "transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">nits (PQ scale)"
                        "</text>\n",
                        a.y0 + a.h / 2, a.y0 + a.h / 2);
  const double total = o.fps > 0 ? a.frames / o.fps : static_cast<double>(a.frames);
  const double step = TickStep(total);
  for (double t = 0; t <= total + 1e-9; t += step) {
    const double x = a.X(o.fps > 0 ? t * o.fps : t);
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#495057\" "
                          "stroke-width=\"1\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                          "text-anchor=\"middle\" fill=\"#495057\">%s</text>\n",
                          x, a.y0 + a.h, x, a.y0 + a.h + 4, x, a.y0 + a.h + 16,
                          o.fps > 0 ? FormatTime(t) : absl::StrCat(static_cast<int64_t>(t)));
  }
  absl::StrAppendFormat(&svg,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                        "stroke=\"#495057\" stroke-width=\"1\"/>\n",
                        a.x0, a.y0, a.w, a.h);
}

void SceneStarts(const BrightnessSeries& s, const Area& a, std::string& svg) {
  const bool lines = s.scene_starts <= kMaxSceneLines;
  svg += absl::StrCat("<g stroke=\"", kSceneColour, "\" stroke-width=\"1\"",
                      lines ? " stroke-opacity=\"0.35\"" : "", ">\n");
  for (const BrightnessBucket& b : s.buckets) {
    if (b.scene_starts == 0) continue;
    const double x = a.X(static_cast<double>(b.first_frame));
    absl::StrAppendFormat(&svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
                          lines ? a.y0 : a.y0 + a.h - 6, x, a.y0 + a.h);
  }
  svg += "</g>\n";
}

void Line(const BrightnessSeries& s, const Area& a, bool max, const char* colour, std::string& svg) {
  absl::StrAppend(&svg, "<polyline fill=\"none\" stroke=\"", colour,
                  "\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"");
  for (const BrightnessBucket& b : s.buckets) {
    const double pq = max ? b.max_pq : b.avg_pq;
    absl::StrAppendFormat(&svg, "%.1f,%.1f %.1f,%.1f ", a.X(static_cast<double>(b.first_frame)),
                          a.Y(pq), a.X(static_cast<double>(b.first_frame + b.frames)), a.Y(pq));
  }
  svg += "\"/>\n";
}

void Legend(const BrightnessSeries& s, const Area& a, std::string& svg) {
  const std::string max = absl::StrCat("L1 max (peak ", FormatNits(PqCodeToNits(s.peak_max_pq)), " nits)");
  const std::string avg =
      absl::StrCat("L1 average (mean ", FormatNits(PqCodeToNits(s.mean_avg_pq)), " nits)");
  const std::string cuts = absl::StrCat("scene starts (", s.scene_starts, ")");
  double x = a.x0;
  for (const auto& [label, colour] : std::vector<std::pair<std::string, const char*>>{
           {max, kMaxColour}, {avg, kAvgColour}, {cuts, kSceneColour}}) {
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"3\" fill=\"%s\"/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#212529\">%s</text>\n",
                          x, a.y0 - 10, colour, x + 16, a.y0 - 6, EscapeXml(label));
    x += 24 + 6.2 * label.size();
  }
}

}  // namespace

std::string EscapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderBrightnessSvg(const BrightnessSeries& series, const BrightnessPlotOptions& options) {
  const int width = std::max(options.width, 240);
  const int height = std::max(options.height, 160);
  const Area area{double{kLeft}, double{kTop}, static_cast<double>(width - kLeft - kRight),
                  static_cast<double>(height - kTop - kBottom), series.frames};
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "font-family=\"sans-serif\" role=\"img\">\n<title>%s</title>\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
      "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\" fill=\"#212529\">%s</text>\n",
      width, height, width, height, EscapeXml("Dolby Vision brightness: " + options.title), kLeft,
      EscapeXml(options.title));
  Axes(area, options, svg);
  if (series.buckets.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                          "fill=\"#495057\">no RPUs</text>\n",
                          area.x0 + area.w / 2, area.y0 + area.h / 2);
  } else {
    SceneStarts(series, area, svg);
    Line(series, area, /*max=*/false, kAvgColour, svg);
    Line(series, area, /*max=*/true, kMaxColour, svg);
    Legend(series, area, svg);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace mkvfleet::plot
