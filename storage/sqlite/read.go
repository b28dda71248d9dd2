package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Load implements storage.Store.
func (s *Store) Load(ctx context.Context, runID string) ([]plan.Event, error) {
	var events []plan.Event
	err := s.Stream(ctx, runID, func(e plan.Event) error {
		events = append(events, e)
		return nil
	})
	return events, err
}

// Stream implements storage.Store: rows are read as SQLite steps through
// them, so memory does not grow with the run.
func (s *Store) Stream(ctx context.Context, runID string, fn func(plan.Event) error) error {
	n := 0
	err := scanEvents(ctx, s.db, runID, 1, maxSeq, func(e plan.Event) error {
		n++
		return fn(e)
	})
	if err != nil {
		return fmt.Errorf("reading run %s: %w", runID, err)
	}
	if n == 0 {
		var exists bool
		if err := s.db.QueryRowContext(ctx, sqlRunExists, runID).Scan(&exists); err != nil {
			return fmt.Errorf("reading run %s: %w", runID, err)
		}
		if !exists {
			return fmt.Errorf("reading run %s: %w", runID, storage.ErrNotFound)
		}
	}
	return nil
}

// scanEvents calls fn for the events of a run from seq first to last.
func scanEvents(ctx context.Context, q querier, runID string, first, last int64, fn func(plan.Event) error) error {
	rows, err := q.QueryContext(ctx, sqlSelectEvents, runID, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e       plan.Event
			at      int64
			typ     string
			payload string
		)
		if err := rows.Scan(&e.RunID, &e.Seq, &at, &e.Actor.Platform, &e.Actor.UserID, &e.Actor.Name,
			&typ, &payload, &e.IdempotencyKey, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At = time.UnixMicro(at).UTC()
		e.Type = plan.EventType(typ)
		e.Payload = json.RawMessage(payload)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListRuns implements storage.Store.
func (s *Store) ListRuns(ctx context.Context, f storage.RunFilter) ([]storage.RunSummary, error) {
	var runID, state, drill, since, until any
	if f.RunID != "" {
		runID = f.RunID
	}
	if f.State != "" {
		state = f.State
	}
	if f.Drill != nil {
		drill = *f.Drill
	}
	if !f.Since.IsZero() {
		since = f.Since.UnixMicro()
	}
	if !f.Until.IsZero() {
		until = f.Until.UnixMicro()
	}
	limit := -1
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := s.db.QueryContext(ctx, sqlListRuns, state, drill, since, until, limit, runID)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	defer rows.Close()
	var out []storage.RunSummary
	for rows.Next() {
		var (
			r                storage.RunSummary
			services         string
			created, updated int64
		)
		if err := rows.Scan(&r.RunID, &r.PlanID, &r.PlanHash, &r.State, &r.Drill, &services,
			&created, &updated, &r.Events, &r.HeadHash); err != nil {
			return nil, fmt.Errorf("listing runs: %w", err)
		}
		if err := json.Unmarshal([]byte(services), &r.Services); err != nil {
			return nil, fmt.Errorf("listing runs: services of %s: %w", r.RunID, err)
		}
		if len(r.Services) == 0 {
			r.Services = nil
		}
		r.CreatedAt, r.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	return out, nil
}

// NextRunNumber implements storage.Store.
func (s *Store) NextRunNumber(ctx context.Context, year int) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, sqlNextRunNumber, year).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = errors.New("no number returned")
	}
	if err != nil {
		return 0, fmt.Errorf("reserving a run number for %d: %w", year, err)
	}
	return n, nil
}

// StreamAfter implements storage.Store: the events after seq after.
func (s *Store) StreamAfter(ctx context.Context, runID string, after int64, fn func(plan.Event) error) error {
	if after <= 0 {
		return s.Stream(ctx, runID, fn)
	}
	if err := scanEvents(ctx, s.db, runID, after+1, maxSeq, fn); err != nil {
		return fmt.Errorf("reading run %s after %d: %w", runID, after, err)
	}
	return nil
}
