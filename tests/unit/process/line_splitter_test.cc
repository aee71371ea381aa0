// LineSplitter: lines split across chunks, '\r' progress redraws, over-long lines.
#include "common/process/line_splitter.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace mkvfleet::process {
namespace {

TEST_CASE("LineSplitter joins chunks and splits on newline and carriage return") {
  std::vector<std::string> lines;
  LineSplitter splitter([&](absl::string_view l) { lines.emplace_back(l); });
  splitter.Feed("frame=  1 fps=0.0\rframe=  2");
  splitter.Feed(" fps=1.5\r\nlast line\n");
  splitter.Feed("unterminated");
  CHECK(lines == std::vector<std::string>{"frame=  1 fps=0.0", "frame=  2 fps=1.5", "last line"});
  splitter.Flush();
  CHECK(lines.back() == "unterminated");
  CHECK(lines.size() == 4);
}

TEST_CASE("LineSplitter delivers an over-long line in pieces") {
  std::vector<std::string> lines;
  LineSplitter splitter([&](absl::string_view l) { lines.emplace_back(l); }, 4);
  splitter.Feed("abcdefghij\n");
  CHECK(lines == std::vector<std::string>{"abcd", "efgh", "ij"});
}

}  // namespace
}  // namespace mkvfleet::process
