// Package postgres is the PostgreSQL timeline store (pgx/v5 pool): the
// store several `serve` replicas share.
//
// Its schema is versioned SQL embedded in the binary (migrations/), applied
// by Migrate under an advisory lock together with River's own migrations.
// Events are append-only (a trigger refuses UPDATE, DELETE and TRUNCATE),
// unique by (run_id, seq) and by idempotency key, and chained by hash.
// An append enqueues its River jobs in its own transaction; once it has
// committed, the run id is NOTIFYed (gathered over a few milliseconds into
// one transaction, see notifier) so that other replicas can refresh.
//
// Appends are fast when this process knows the run's head (it appended to
// or read the run last): one statement that moves the run row only if it
// is still at that head. Otherwise, and whenever jobs are enqueued, the
// append reads and locks the head first.
package postgres
