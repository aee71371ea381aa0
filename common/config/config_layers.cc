// ConfigLayers: TOML file + MKVFLEET_* environment + flags, resolved per key (see the header).
#include "common/config/config_layers.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"

namespace mkvfleet::config {
namespace {

// Flattens `table` into dotted keys. Fails on values we have no use for (arrays of tables, dates).
absl::Status Flatten(const toml::table& table, const std::string& prefix, const std::string& origin,
                     std::map<std::string, FileValue, std::less<>>& out) {
  for (const auto& entry : table) {
    const toml::node& node = entry.second;  // a plain reference: lambdas may capture it
    const std::string name(entry.first.str());
    std::string key = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
    auto bad = [&](absl::string_view what) {
      const auto& src = node.source();
      return absl::InvalidArgumentError(absl::StrCat(origin, ":", src.begin.line, ":",
                                                     src.begin.column, ": key '", key, "' ", what));
    };
    if (const auto* sub = node.as_table()) {
      RETURN_IF_ERROR(Flatten(*sub, key, origin, out));
    } else if (const auto* s = node.as_string()) {
      out[key] = s->get();
    } else if (const auto* i = node.as_integer()) {
      out[key] = i->get();
    } else if (const auto* d = node.as_floating_point()) {
      out[key] = d->get();
    } else if (const auto* b = node.as_boolean()) {
      out[key] = b->get();
    } else if (const auto* arr = node.as_array()) {
      std::vector<std::string> items;
      for (const auto& item : *arr) {
        const auto* s = item.as_string();
        if (!s) return bad("must be an array of strings");
        items.push_back(s->get());
      }
      out[key] = std::move(items);
    } else {
      return bad("has an unsupported type (use a string, number, boolean or array of strings)");
    }
  }
  return absl::OkStatus();
}

std::string TypeError(absl::string_view key, const std::string& origin, absl::string_view want,
                      absl::string_view got) {
  return absl::StrCat("config key '", key, "' from ", origin, " must be ", want, ", got ", got);
}

std::string Describe(const FileValue& v) {
  struct {
    std::string operator()(const std::string& s) { return absl::StrCat("\"", s, "\""); }
    std::string operator()(int64_t i) { return absl::StrCat(i); }
    std::string operator()(double d) { return absl::StrCat(d); }
    std::string operator()(bool b) { return b ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>&) { return "an array"; }
  } visitor;
  return std::visit(visitor, v);
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string EnvNameFor(absl::string_view key) {
  std::string name = absl::StrCat("MKVFLEET_", absl::AsciiStrToUpper(key));
  for (char& c : name) {
    if (c == '.' || c == '-') c = '_';
  }
  return name;
}

ConfigLayers::ConfigLayers(EnvLookup env) : env_(std::move(env)) {}

absl::StatusOr<ConfigLayers> ConfigLayers::Load(const std::string& path, EnvLookup env) {
  if (path.empty()) return ConfigLayers(std::move(env));
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config file ", path, " cannot be read: check the path given with --config"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, std::move(env));
}

absl::StatusOr<ConfigLayers> ConfigLayers::Parse(absl::string_view toml_text,
                                                 const std::string& origin, EnvLookup env) {
  ConfigLayers layers(std::move(env));
  layers.file_path_ = origin;
  toml::table table;
  try {
    table = toml::parse(std::string_view(toml_text.data(), toml_text.size()), origin);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ":", src.begin.line, ":", src.begin.column, ": ", std::string(e.description())));
  }
  RETURN_IF_ERROR(Flatten(table, "", origin, layers.file_));
  return layers;
}

void ConfigLayers::SetFlag(const std::string& key, std::string value) {
  flags_[key] = std::move(value);
}

void ConfigLayers::SetFlagList(const std::string& key, std::vector<std::string> values) {
  flags_[key] = std::move(values);
}

std::optional<ConfigLayers::Raw> ConfigLayers::Find(absl::string_view key_view) const {
  const std::string key(key_view);
  if (auto it = flags_.find(key); it != flags_.end()) {
    return Raw{it->second, true, absl::StrCat("flag --", key)};
  }
  const std::string env_name = EnvNameFor(key);
  if (env_) {
    if (auto v = env_(env_name); v.has_value() && !v->empty()) {
      return Raw{*v, true, absl::StrCat("env ", env_name)};
    }
  }
  if (auto it = file_.find(key); it != file_.end()) {
    return Raw{it->second, false, absl::StrCat("file ", file_path_)};
  }
  return std::nullopt;
}

std::string ConfigLayers::OriginOf(absl::string_view key) const {
  auto raw = Find(key);
  return raw ? raw->origin : "default";
}

absl::StatusOr<std::string> ConfigLayers::GetString(absl::string_view key,
                                                    absl::string_view def) const {
  auto raw = Find(key);
  if (!raw) return std::string(def);
  if (const auto* s = std::get_if<std::string>(&raw->value)) return *s;
  return absl::InvalidArgumentError(TypeError(key, raw->origin, "a string", Describe(raw->value)));
}

absl::StatusOr<int64_t> ConfigLayers::GetInt(absl::string_view key, int64_t def) const {
  auto raw = Find(key);
  if (!raw) return def;
  if (const auto* i = std::get_if<int64_t>(&raw->value)) return *i;
  if (const auto* s = std::get_if<std::string>(&raw->value); s && raw->textual) {
    int64_t v = 0;
    if (absl::SimpleAtoi(*s, &v)) return v;
  }
  return absl::InvalidArgumentError(
      TypeError(key, raw->origin, "an integer", Describe(raw->value)));
}

absl::StatusOr<double> ConfigLayers::GetDouble(absl::string_view key, double def) const {
  auto raw = Find(key);
  if (!raw) return def;
  if (const auto* d = std::get_if<double>(&raw->value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&raw->value)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&raw->value); s && raw->textual) {
    double v = 0;
    if (absl::SimpleAtod(*s, &v)) return v;
  }
  return absl::InvalidArgumentError(TypeError(key, raw->origin, "a number", Describe(raw->value)));
}

absl::StatusOr<bool> ConfigLayers::GetBool(absl::string_view key, bool def) const {
  auto raw = Find(key);
  if (!raw) return def;
  if (const auto* b = std::get_if<bool>(&raw->value)) return *b;
  if (const auto* s = std::get_if<std::string>(&raw->value); s && raw->textual) {
    const std::string v = absl::AsciiStrToLower(*s);
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  }
  return absl::InvalidArgumentError(
      TypeError(key, raw->origin, "a boolean (true/false)", Describe(raw->value)));
}

absl::StatusOr<std::vector<std::string>> ConfigLayers::GetStringList(
    absl::string_view key, std::vector<std::string> def) const {
  auto raw = Find(key);
  if (!raw) return def;
  if (const auto* l = std::get_if<std::vector<std::string>>(&raw->value)) return *l;
  if (const auto* s = std::get_if<std::string>(&raw->value)) {
    if (!raw->textual) return std::vector<std::string>{*s};
    return std::vector<std::string>(absl::StrSplit(*s, ':', absl::SkipEmpty()));
  }
  return absl::InvalidArgumentError(
      TypeError(key, raw->origin, "an array of strings", Describe(raw->value)));
}

absl::StatusOr<std::map<std::string, std::string>> ConfigLayers::GetTable(
    absl::string_view prefix) const {
  std::map<std::string, std::string> out;
  const std::string dotted = absl::StrCat(prefix, ".");
  for (auto it = file_.lower_bound(dotted); it != file_.end(); ++it) {
    if (it->first.compare(0, dotted.size(), dotted) != 0) break;
    auto raw = Find(it->first);
    if (!raw) continue;
    if (std::holds_alternative<std::vector<std::string>>(raw->value)) {
      return absl::InvalidArgumentError(
          TypeError(it->first, raw->origin, "a scalar", Describe(raw->value)));
    }
    const auto* s = std::get_if<std::string>(&raw->value);
    out[it->first.substr(dotted.size())] = s ? *s : Describe(raw->value);
  }
  return out;
}

}  // namespace mkvfleet::config
