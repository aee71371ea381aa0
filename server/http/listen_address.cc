// HOST:PORT parsing and loopback checks; see listen_address.h.
#include "server/http/listen_address.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::http {

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("--http-listen \"", text, "\": ", why,
                                                   " (expected HOST:PORT, e.g. 127.0.0.1:8080)"));
  };
  ListenAddress out;
  absl::string_view port_text;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("bracketed IPv6 host needs \"]:PORT\"");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) return bad("no port");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return bad("put an IPv6 host in brackets");
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return bad("empty host");
  if (!absl::SimpleAtoi(port_text, &out.port) || out.port < 0 || out.port > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  return out;
}

bool IsLoopbackHost(absl::string_view host) {
  const std::string h = absl::AsciiStrToLower(host);
  if (h == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    static const in6_addr loopback = IN6ADDR_LOOPBACK_INIT;
    return std::equal(std::begin(v6.s6_addr), std::end(v6.s6_addr), std::begin(loopback.s6_addr));
  }
  return false;
}

absl::Status CheckExposure(const ListenAddress& address, bool admin_token_configured) {
  if (IsLoopbackHost(address.host) || admin_token_configured) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve the dashboard on ", address.host,
      " without an admin token: set MKVFLEET_ADMIN_TOKEN (or admin_token in the config), "
      "or listen on 127.0.0.1"));
}

bool IsLoopbackHostHeader(absl::string_view host_header) {
  absl::string_view host = host_header;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  return IsLoopbackHost(host);
}

}  // namespace mkvfleet::http
