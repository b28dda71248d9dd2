// Package sqlite is the embedded timeline store (modernc.org/sqlite, WAL):
// the default when no database is configured, and the break-glass laptop
// mode. It behaves as storage/postgres does — versioned embedded
// migrations, append-only events enforced by triggers, idempotent appends,
// River jobs enqueued in the append's transaction (riversqlite) — for a
// single process: its change feed is in-process.
package sqlite
