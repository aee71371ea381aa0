// The job table's SQLite schema as an ordered list of migrations, and the code that brings a
// database up to date. Version N means migrations 1..N have run; the version lives in the
// one-row table schema_version.
#pragma once

#include "absl/status/statusor.h"
#include "server/store/sqlite_db.h"

namespace mkvfleet::server {

// The schema version this build writes.
int LatestSchemaVersion();

// Sets the connection pragmas (WAL, synchronous=FULL, foreign keys) and applies every migration
// newer than the database's version, each in its own transaction. Returns the resulting version.
// Errors: DataLoss for a file that is not an SQLite database, FailedPrecondition when the
// database was written by a newer coordinator (version above LatestSchemaVersion()).
absl::StatusOr<int> MigrateSchema(SqliteDb& db);

}  // namespace mkvfleet::server
