// Package sqlite is the default metrics store: one SQLite file, written
// through the pure Go driver modernc.org/sqlite (no cgo). OpenURL is its
// metrics.Opener, for the URL scheme "sqlite": "sqlite:PATH" or
// "sqlite://PATH", optionally followed by "?busy_timeout=DURATION".
//
// Several worker processes may write one file at once: the file is in WAL
// mode, every write transaction takes the write lock when it begins
// (BEGIN IMMEDIATE) and waits up to the busy timeout for it. The schema is
// versioned in a schema_version table; ordered migrations run in one
// transaction when a store opens. Appends are INSERT … ON CONFLICT DO
// NOTHING: a record whose key (a sample's worker and time, a decision's
// time and policy) is stored already leaves the stored row as it is, so
// the tables are append-only and a re-sent batch is idempotent. Every
// request feature is a column of its own, so the records are queryable with plain SQL too, and times are
// integer nanoseconds since the Unix epoch, in UTC. Each record kind is
// described once (a table: its columns and the conversions between a
// record and a row), and every kind is appended and queried by the same
// code.
//
// It must not import net/http or the AWS SDK, and must not run processes
// (the driver's C library emulation links os/exec for system(3), which is
// never called); it is used through the metrics.Store interface.
package sqlite
