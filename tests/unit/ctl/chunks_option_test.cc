// mkvctl enqueue --chunks: accepted values, refusals, and the usage error CLI11 turns them into.
#include "ctl/chunks_option.h"

#include <catch2/catch.hpp>

#include "ctl/commands.h"

namespace mkvfleet::ctl {
namespace {

TEST_CASE("--chunks accepts auto, 1 and N >= 2") {
  CHECK(ParseChunksOption("auto").value() == 0);
  CHECK(ParseChunksOption("AUTO").value() == 0);
  CHECK(ParseChunksOption("1").value() == 1);
  CHECK(ParseChunksOption("2").value() == 2);
  CHECK(ParseChunksOption("16").value() == 16);
  CHECK(ParseChunksOption("2147483647").value() == 2147483647);
}

TEST_CASE("--chunks refuses 0, signs, text and overflow with the accepted forms") {
  for (const char* bad : {"0", "00", "-1", "-3", "+2", "", " 2", "2 ", "two", "2x", "1.5", "au",
                          "2147483648", "99999999999999999999"}) {
    INFO(bad);
    absl::StatusOr<int32_t> n = ParseChunksOption(bad);
    REQUIRE_FALSE(n.ok());
    CHECK(absl::IsInvalidArgument(n.status()));
    CHECK(n.status().message().find("\"auto\"") != std::string::npos);
    CHECK(n.status().message().find(">= 2") != std::string::npos);
    CHECK(n.status().message().find(std::string("got \"") + bad + "\"") != std::string::npos);
  }
}

// Parses `args` (without the program name) with the real verbs registered.
void ParseCtl(std::vector<std::string> args, CtlCommandContext& ctx) {
  CLI::App app;
  app.fallthrough();
  app.require_subcommand(1);
  AddJobCommands(app, ctx);
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  app.parse(args);
}

TEST_CASE("enqueue --chunks: a bad value is a usage error, good values parse") {
  for (const char* good : {"auto", "1", "3"}) {
    CtlCommandContext ctx;
    INFO(good);
    CHECK_NOTHROW(ParseCtl({"enqueue", "/library/a.mkv", "--chunks", good}, ctx));
    CHECK(ctx.action != nullptr);
  }
  CtlCommandContext no_flag;
  CHECK_NOTHROW(ParseCtl({"enqueue", "/library/a.mkv"}, no_flag));
  for (const char* bad : {"0", "-2", "many"}) {
    CtlCommandContext ctx;
    INFO(bad);
    try {
      ParseCtl({"enqueue", "/library/a.mkv", "--chunks", bad}, ctx);
      FAIL("parsed");
    } catch (const CLI::ValidationError& e) {
      CHECK(std::string(e.what()).find("--chunks: expected \"auto\"") != std::string::npos);
      CHECK(e.get_exit_code() != 0);  // mkvctl's main maps every parse error to exit code 2
    }
    CHECK(ctx.action == nullptr);
  }
}

// The transform rewrites the typed value, so the int option gets exactly EnqueueRequest.chunks.
TEST_CASE("the --chunks transform stores 0 for auto and N for N") {
  for (const auto& [typed, stored] :
       std::vector<std::pair<std::string, int32_t>>{{"auto", 0}, {"1", 1}, {"8", 8}}) {
    CLI::App app;
    int32_t chunks = -1;
    app.add_option("--chunks", chunks)->transform(ChunksOptionValidator());
    app.parse(std::vector<std::string>{typed, "--chunks"});
    CHECK(chunks == stored);
  }
}

}  // namespace
}  // namespace mkvfleet::ctl
