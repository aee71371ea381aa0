// See library_seed.h.
#include "bench/load/library_seed.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "mkvfleet/v1/admin.grpc.pb.h"

namespace mkvfleet::bench {
namespace fs = std::filesystem;

absl::StatusOr<std::vector<std::string>> CreateLibraryFiles(const std::string& root, int count) {
  std::vector<std::string> paths;
  paths.reserve(count);
  for (int i = 0; i < count; ++i) {
    const std::string dir = absl::StrFormat("%s/shelf%04d", root, i / 1000);
    if (i % 1000 == 0) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
    }
    std::string path = absl::StrFormat("%s/title%06d.mkv", dir, i);
    if (!fs::exists(path)) {
      std::ofstream out(path, std::ios::binary);
      out << "load_bench title\n";
      if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
    }
    paths.push_back(std::move(path));
  }
  return paths;
}

absl::StatusOr<SeedResult> EnqueueAll(const std::shared_ptr<grpc::Channel>& channel,
                                      const std::vector<std::string>& paths) {
  auto stub = v1::AdminService::NewStub(channel);
  SeedResult result;
  const absl::Time start = absl::Now();
  for (size_t first = 0; first < paths.size(); first += kEnqueueBatch) {
    v1::EnqueueRequest req;
    req.set_chunks(1);
    const size_t end = std::min(paths.size(), first + kEnqueueBatch);
    for (size_t i = first; i < end; ++i) req.add_paths(paths[i]);
    v1::EnqueueResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    grpc::Status s = stub->Enqueue(&ctx, req, &resp);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          absl::StrCat("Enqueue of paths ", first, "..", end - 1, ": ",
                                       s.error_message()));
    }
    for (const v1::EnqueueResult& r : resp.results()) {
      if (r.outcome() != v1::ENQUEUE_OUTCOME_CREATED) {
        return absl::FailedPreconditionError(
            absl::StrCat("Enqueue did not create a job for ", r.path(), ": ",
                         v1::EnqueueOutcome_Name(r.outcome()), " ", r.reason()));
      }
      ++result.created;
    }
  }
  result.took = absl::Now() - start;
  return result;
}

}  // namespace mkvfleet::bench
