// Text and JSON rendering of doctor check lines (see the header).
#include "common/doctor/check_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::doctor {
namespace {

struct Counts {
  int ok = 0, warnings = 0, errors = 0;
};

Counts Count(const std::vector<CheckLine>& lines) {
  Counts c;
  for (const auto& l : lines) {
    if (l.severity == Severity::kOk) ++c.ok;
    if (l.severity == Severity::kWarning) ++c.warnings;
    if (l.severity == Severity::kError) ++c.errors;
  }
  return c;
}

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kOk:
      return "ok";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

CheckLine Ok(std::string check, std::string message) {
  return CheckLine{std::move(check), Severity::kOk, std::move(message), ""};
}
CheckLine Warning(std::string check, std::string message, std::string advice) {
  return CheckLine{std::move(check), Severity::kWarning, std::move(message), std::move(advice)};
}
CheckLine Error(std::string check, std::string message, std::string advice) {
  return CheckLine{std::move(check), Severity::kError, std::move(message), std::move(advice)};
}

std::string FormatText(const std::vector<CheckLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    absl::StrAppend(&out,
                    absl::StrFormat("%-8s %s: %s\n", SeverityName(l.severity), l.check, l.message));
    if (!l.advice.empty()) absl::StrAppend(&out, "         -> ", l.advice, "\n");
  }
  const Counts c = Count(lines);
  absl::StrAppend(&out, c.ok, " ok, ", c.warnings, c.warnings == 1 ? " warning, " : " warnings, ",
                  c.errors, c.errors == 1 ? " error\n" : " errors\n");
  return out;
}

std::string FormatJson(const std::vector<CheckLine>& lines) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& l : lines) {
    checks.push_back({{"check", l.check},
                      {"status", SeverityName(l.severity)},
                      {"message", l.message},
                      {"advice", l.advice}});
  }
  const Counts c = Count(lines);
  nlohmann::json doc = {
      {"checks", checks}, {"ok", c.ok}, {"warnings", c.warnings}, {"errors", c.errors}};
  return doc.dump(2) + "\n";
}

int ExitCode(const std::vector<CheckLine>& lines) { return Count(lines).errors > 0 ? 1 : 0; }

}  // namespace mkvfleet::doctor
