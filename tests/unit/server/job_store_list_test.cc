// JobStore::ListJobs paging on a real SQLite file: reading page after page with the cursor lists
// every matching job exactly once, in id order (either way), with filters, a capped page size, the
// matching total on every page and no cursor after the last page.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/store/job_store.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {

constexpr int kJobs = 2345;

// A store with kJobs pending jobs under a/ and b/ (alternating); every 100th job is cancelled.
struct ListFixture {
  std::string dir = testing::MakeTempDir("store-list");
  FakeClock clock{1'700'000'000'000};
  std::unique_ptr<JobStore> store;
  std::vector<int64_t> ids;        // all, ascending
  std::vector<int64_t> cancelled;  // ascending

  ListFixture() {
    auto s = JobStore::Open(dir + "/jobs.db", JobPolicy{}, &clock, nullptr);
    REQUIRE(s.ok());
    store = std::move(*s);
    std::vector<EnqueueItem> items;
    for (int i = 0; i < kJobs; ++i) {
      EnqueueItem item;
      const std::string rel = absl::StrCat(i % 2 ? "b/" : "a/", i, ".mkv");
      item.file.path = "/lib/" + rel;
      item.file.library_root = "/lib";
      item.file.relative_path = rel;
      item.file.size_bytes = 100;
      item.file.mtime_ms = 5;
      item.output_path = item.file.path + ".out";
      items.push_back(item);
    }
    auto created = store->Enqueue(items, false);
    REQUIRE(created.ok());
    for (const EnqueueRecord& r : *created) ids.push_back(r.job_id);
    for (size_t i = 0; i < ids.size(); i += 100) {
      REQUIRE(store->Cancel(ids[i]).ok());
      cancelled.push_back(ids[i]);
    }
  }

  // Reads every page of `filter` in turn; checks each page's size, total and cursor.
  std::vector<int64_t> ReadAll(JobFilter filter, int expect_page_size, int64_t expect_total) {
    std::vector<int64_t> seen;
    filter.after_id = 0;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store->ListJobs(filter);
      REQUIRE(page.ok());
      CHECK(page->total == expect_total);
      for (const Job& j : page->jobs) seen.push_back(j.id);
      if (page->next_after_id == 0) {
        CHECK(static_cast<int>(page->jobs.size()) <= expect_page_size);
        return seen;
      }
      REQUIRE(static_cast<int>(page->jobs.size()) == expect_page_size);
      CHECK(page->next_after_id == page->jobs.back().id);
      filter.after_id = page->next_after_id;
    }
    FAIL("the cursor never reached the last page");
    return seen;
  }
};

TEST_CASE("ListJobs pages cover every job exactly once, in id order") {
  ListFixture f;
  SECTION("the default page size is the maximum") {
    CHECK(f.ReadAll({}, kMaxJobsPerPage, kJobs) == f.ids);
  }
  SECTION("a larger limit is capped") {
    JobFilter filter;
    filter.limit = kMaxJobsPerPage * 10;
    auto first = f.store->ListJobs(filter);
    REQUIRE(first.ok());
    CHECK(first->jobs.size() == static_cast<size_t>(kMaxJobsPerPage));
    CHECK(f.ReadAll(filter, kMaxJobsPerPage, kJobs) == f.ids);
  }
  SECTION("small pages") {
    JobFilter filter;
    filter.limit = 97;
    CHECK(f.ReadAll(filter, 97, kJobs) == f.ids);
  }
  SECTION("newest first") {
    JobFilter filter;
    filter.limit = 500;
    filter.newest_first = true;
    const std::vector<int64_t> descending(f.ids.rbegin(), f.ids.rend());
    CHECK(f.ReadAll(filter, 500, kJobs) == descending);
  }
  SECTION("a page size dividing the count leaves no empty last page") {
    JobFilter filter;
    filter.states = {JobState::kCancelled};
    filter.limit = static_cast<int>(f.cancelled.size());
    auto page = f.store->ListJobs(filter);
    REQUIRE(page.ok());
    CHECK(page->jobs.size() == f.cancelled.size());
    CHECK(page->next_after_id == 0);
  }
  SECTION("jobs come without steps") {
    auto page = f.store->ListJobs({});
    REQUIRE(page.ok());
    CHECK(page->jobs.front().steps.empty());
    CHECK(page->jobs.front().path == "/lib/a/0.mkv");
  }
}

TEST_CASE("ListJobs filters combine with the cursor") {
  ListFixture f;
  SECTION("by state") {
    JobFilter filter;
    filter.states = {JobState::kCancelled};
    filter.limit = 7;
    CHECK(f.ReadAll(filter, 7, static_cast<int64_t>(f.cancelled.size())) == f.cancelled);
    filter.states = {JobState::kPending};
    filter.limit = 0;
    const std::vector<int64_t> pending = f.ReadAll(filter, kMaxJobsPerPage, kJobs - 24);
    CHECK(pending.size() == static_cast<size_t>(kJobs - 24));
    CHECK(std::set<int64_t>(pending.begin(), pending.end()).count(f.cancelled.front()) == 0);
  }
  SECTION("by state and path, newest first") {
    JobFilter filter;
    filter.states = {JobState::kCancelled, JobState::kRunning};
    filter.path_contains = "/a/";
    filter.limit = 5;
    filter.newest_first = true;
    std::vector<int64_t> expect;  // even positions are under a/; every cancelled one is
    for (auto it = f.cancelled.rbegin(); it != f.cancelled.rend(); ++it) expect.push_back(*it);
    CHECK(f.ReadAll(filter, 5, static_cast<int64_t>(expect.size())) == expect);
  }
  SECTION("nothing matches") {
    JobFilter filter;
    filter.path_contains = "no-such-file";
    auto page = f.store->ListJobs(filter);
    REQUIRE(page.ok());
    CHECK(page->jobs.empty());
    CHECK(page->total == 0);
    CHECK(page->next_after_id == 0);
  }
  SECTION("a cursor past the end yields an empty last page with the total") {
    JobFilter filter;
    filter.after_id = f.ids.back();
    auto page = f.store->ListJobs(filter);
    REQUIRE(page.ok());
    CHECK(page->jobs.empty());
    CHECK(page->total == kJobs);
    CHECK(page->next_after_id == 0);
  }
}

}  // namespace
}  // namespace mkvfleet::server
