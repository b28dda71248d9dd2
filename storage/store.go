// Package storage holds the timeline store contract shared by every store
// (storage/postgres, storage/sqlite) and checked by storage/storetest.
package storage

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia/plan"
)

// ErrConflict means another writer appended to the run first: the caller
// reloads the run, decides again and retries.
var ErrConflict = errors.New("storage: run changed concurrently (sequence conflict)")

// ErrNotFound means the run does not exist.
var ErrNotFound = errors.New("storage: run not found")

// Job is a River job enqueued in the same transaction as the events that
// cause it: committed together, or not at all.
type Job struct {
	Args river.JobArgs
	Opts *river.InsertOpts
}

// AppendRequest appends Events to RunID, whose last event must have seq
// ExpectedSeq (0 for a new run). Events carry At, Actor, Type, Payload and
// IdempotencyKey; the store assigns Seq, PrevHash and Hash (plan.Seal).
type AppendRequest struct {
	RunID       string
	ExpectedSeq int64
	Events      []plan.Event
	// Run metadata, kept on the runs table for listing; set on creation
	// and updated with each append when non-zero.
	Meta RunMeta
	Jobs []Job
}

// RunMeta is the listing summary of a run the bot maintains as it appends.
type RunMeta struct {
	PlanID   string
	PlanHash string
	State    string // plan run state: declared, assessing, …
	Drill    bool
	Services []string
}

// AppendResult is what an append stored, or, for a replayed idempotency
// key, what the original append stored.
type AppendResult struct {
	Events   []plan.Event
	Replayed bool
	JobIDs   []int64
}

// RunSummary is one row of a run listing.
type RunSummary struct {
	RunID     string
	PlanID    string
	PlanHash  string
	State     string
	Drill     bool
	Services  []string
	CreatedAt time.Time
	UpdatedAt time.Time
	Events    int64
	HeadHash  string
}

// RunFilter narrows ListRuns; zero fields match everything.
type RunFilter struct {
	// RunID lists that run alone: how a reader gets the head (Events,
	// HeadHash) the store recorded for one run.
	RunID string
	State string
	Drill *bool
	Since time.Time
	Until time.Time
	Limit int
}

// Store is the run timeline. Implementations are safe for concurrent use.
type Store interface {
	// Append stores a batch atomically at ExpectedSeq, with its jobs.
	// Returns ErrConflict when the run's last seq differs. When the first
	// event's IdempotencyKey was stored before, it returns the original
	// events with Replayed set and stores nothing.
	Append(ctx context.Context, req AppendRequest) (AppendResult, error)
	// Load returns a run's events in seq order, or ErrNotFound.
	Load(ctx context.Context, runID string) ([]plan.Event, error)
	// Stream calls fn for each event of a run in seq order without holding
	// the whole run in memory.
	Stream(ctx context.Context, runID string, fn func(plan.Event) error) error
	// StreamAfter calls fn for each event of a run with seq > after, in
	// order: what other writers appended since a reader last looked. It
	// returns nil when there is none (and ErrNotFound for no run at all
	// only when after is 0).
	StreamAfter(ctx context.Context, runID string, after int64, fn func(plan.Event) error) error
	// ListRuns lists runs, newest first.
	ListRuns(ctx context.Context, f RunFilter) ([]RunSummary, error)
	// NextRunNumber reserves the next run number of a year (CONT-YYYY-NNNN).
	NextRunNumber(ctx context.Context, year int) (int, error)
	// Ping reports whether the store is reachable and migrated.
	Ping(ctx context.Context) error
	Close() error
}
