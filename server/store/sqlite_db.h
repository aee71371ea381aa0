// Thin RAII wrappers over the SQLite C API: a connection, prepared statements and transactions,
// each failure returned as an absl::Status naming the database file and SQLite's message.
// Statements are prepared once per connection and reused (a cache keyed by the SQL text), so the
// hot paths do not pay SQLite's parser on every call.
// Not thread-safe: the owner (JobStore) serialises access with its own mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mkvfleet::server {

class SqliteDb;

// A prepared statement; on destruction a cached one is reset for reuse, any other finalized.
// Bind indexes are 1-based, columns 0-based.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) noexcept;
  ~SqliteStatement();

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  SqliteStatement& Bind(int index, double value);
  SqliteStatement& Bind(int index, absl::string_view value);
  SqliteStatement& Bind(int index, const std::string& value) {
    return Bind(index, absl::string_view(value));
  }
  SqliteStatement& Bind(int index, const char* value) {
    return Bind(index, absl::string_view(value));
  }
  // Binds all arguments to indexes 1..N.
  template <typename... Args>
  SqliteStatement& BindAll(const Args&... args) {
    int i = 0;
    (Bind(++i, args), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done. A bind error surfaces here.
  absl::StatusOr<bool> Step();
  // Runs to completion, ignoring rows.
  absl::Status Run();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3_stmt* stmt, SqliteDb* db, bool cached)
      : stmt_(stmt), db_(db), cached_(cached) {}
  void Release();
  sqlite3_stmt* stmt_ = nullptr;
  SqliteDb* db_ = nullptr;
  bool cached_ = false;  // owned by db_'s cache: reset and handed back, not finalized
  int bind_error_ = SQLITE_OK;
};

class SqliteDb {
 public:
  // Opens (creating when missing) the database at `path` for reading and writing.
  // FailedPrecondition when the file is read-only; other open failures as Internal/Unavailable.
  // Corruption is noticed on the first statement (see JobStore::Open).
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                        absl::Duration busy_timeout);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  // A statement for `sql`: the cached one when it is free (the same SQL text prepared before and
  // not in use now), else a fresh one (cached when the cache has room).
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  // Called with the SQL of every statement Prepare hands out (tests: which queries an operation
  // runs, to check their plans); empty = none.
  void set_statement_observer(std::function<void(const std::string&)> observer) {
    observer_ = std::move(observer);
  }
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // A Status for SQLite result `rc`, with `what` and the connection's error message.
  absl::Status Error(int rc, absl::string_view what) const;

 private:
  friend class SqliteStatement;
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Enough for every fixed statement of the store; SQL built per call (filters) beyond it is
  // prepared and finalized each time.
  static constexpr size_t kMaxCachedStatements = 256;

  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void ReturnToCache(sqlite3_stmt* stmt);
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, CachedStatement> cache_;
  std::function<void(const std::string&)> observer_;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back on destruction unless committed. IMMEDIATE takes the
// write lock up front, so two writers (threads or processes) never interleave a read-then-write.
class SqliteTransaction {
 public:
  static absl::StatusOr<SqliteTransaction> Begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace mkvfleet::server
