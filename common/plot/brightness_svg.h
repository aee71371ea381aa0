// The brightness plot as a standalone SVG document (like `dovi_tool plot`): L1 max and average in
// nits on a PQ axis over the title's frames or time, scene starts marked. Presentation attributes
// only (no <style>, no script), so it can be inlined in a page under a strict
// Content-Security-Policy; every text is XML-escaped (file names are untrusted). Pure.
#pragma once

#include <string>

#include "common/plot/brightness_series.h"

namespace mkvfleet::plot {

struct BrightnessPlotOptions {
  std::string title;  // e.g. the file name; escaped
  int width = 960;    // px, at least 240
  int height = 320;   // px, at least 160
  double fps = 0;     // > 0: the x axis in h:mm:ss, else in frames
};

// The SVG document (starting with "<svg"). An empty series draws the axes and "no RPUs".
std::string RenderBrightnessSvg(const BrightnessSeries& series, const BrightnessPlotOptions& options);

// `text` with &, <, >, " and ' replaced by entities (for SVG and HTML text and attributes).
std::string EscapeXml(const std::string& text);

}  // namespace mkvfleet::plot
