// spdlog setup shared by mkv-coordinator, mkv-agent and mkvctl.
#include "common/log/log.h"

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::log {

absl::StatusOr<spdlog::level::level_enum> ParseLevel(absl::string_view level) {
  const std::string l = absl::AsciiStrToLower(level);
  if (l == "trace") return spdlog::level::trace;
  if (l == "debug") return spdlog::level::debug;
  if (l == "info") return spdlog::level::info;
  if (l == "warn" || l == "warning") return spdlog::level::warn;
  if (l == "error") return spdlog::level::err;
  if (l == "critical") return spdlog::level::critical;
  if (l == "off") return spdlog::level::off;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown log level '", level, "': use trace, debug, info, warn, error, critical or off"));
}

absl::Status InitLogging(absl::string_view program, absl::string_view level) {
  ASSIGN_OR_RETURN(const spdlog::level::level_enum parsed, ParseLevel(level));
  auto logger = std::make_shared<spdlog::logger>(std::string(program),
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %n: %v");
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

}  // namespace mkvfleet::log
