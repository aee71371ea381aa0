// Thin RAII wrappers over the SQLite C API: a connection, prepared statements and transactions,
// each failure returned as an absl::Status naming the database file and SQLite's message.
// Not thread-safe: the owner (JobStore) serialises access with its own mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mkvfleet::server {

class SqliteDb;

// A prepared statement; finalized on destruction. Bind indexes are 1-based, columns 0-based.
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
  SqliteStatement(sqlite3_stmt* stmt, SqliteDb* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  SqliteDb* db_ = nullptr;
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
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // A Status for SQLite result `rc`, with `what` and the connection's error message.
  absl::Status Error(int rc, absl::string_view what) const;

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
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
