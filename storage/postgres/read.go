package postgres

import (
	"context"
	"encoding/json"
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

// Stream implements storage.Store: rows are decoded as they arrive, so
// memory does not grow with the run.
func (s *Store) Stream(ctx context.Context, runID string, fn func(plan.Event) error) error {
	var last plan.Event
	n := 0
	err := s.scanEvents(ctx, s.pool, runID, 1, maxSeq, func(e plan.Event) error {
		n++
		last = e
		return fn(e)
	})
	if err != nil {
		return fmt.Errorf("reading run %s: %w", runID, err)
	}
	if n > 0 {
		s.heads.put(runID, last.Seq, last.Hash)
	}
	if n == 0 {
		var exists bool
		if err := s.pool.QueryRow(ctx, sqlRunExists, runID).Scan(&exists); err != nil {
			return fmt.Errorf("reading run %s: %w", runID, err)
		}
		if !exists {
			return fmt.Errorf("reading run %s: %w", runID, storage.ErrNotFound)
		}
	}
	return nil
}

// scanEvents calls fn for the events of a run from seq first to last.
func (s *Store) scanEvents(ctx context.Context, q querier, runID string, first, last int64, fn func(plan.Event) error) error {
	rows, err := q.Query(ctx, sqlSelectEvents, runID, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		e       plan.Event
		typ     string
		payload []byte
	)
	for rows.Next() {
		if err := rows.Scan(&e.RunID, &e.Seq, &e.At, &e.Actor.Platform, &e.Actor.UserID, &e.Actor.Name,
			&typ, &payload, &e.IdempotencyKey, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At = e.At.UTC()
		e.Type = plan.EventType(typ)
		// JSONB spaces and orders keys its own way; give the payload back
		// in the canonical form it was hashed in.
		p, err := plan.CanonicalPayload(payload)
		if err != nil {
			return fmt.Errorf("event %d: %w", e.Seq, err)
		}
		e.Payload = json.RawMessage(p)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListRuns implements storage.Store.
func (s *Store) ListRuns(ctx context.Context, f storage.RunFilter) ([]storage.RunSummary, error) {
	var state, runID *string
	if f.State != "" {
		state = &f.State
	}
	if f.RunID != "" {
		runID = &f.RunID
	}
	var since, until *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	rows, err := s.pool.Query(ctx, sqlListRuns, state, f.Drill, since, until, limit, runID)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	defer rows.Close()
	var out []storage.RunSummary
	for rows.Next() {
		var r storage.RunSummary
		if err := rows.Scan(&r.RunID, &r.PlanID, &r.PlanHash, &r.State, &r.Drill, &r.Services,
			&r.CreatedAt, &r.UpdatedAt, &r.Events, &r.HeadHash); err != nil {
			return nil, fmt.Errorf("listing runs: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if len(r.Services) == 0 {
			r.Services = nil
		}
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
	if err := s.pool.QueryRow(ctx, sqlNextRunNumber, year).Scan(&n); err != nil {
		return 0, fmt.Errorf("reserving a run number for %d: %w", year, err)
	}
	return n, nil
}

// StreamAfter implements storage.Store: the events after seq after.
func (s *Store) StreamAfter(ctx context.Context, runID string, after int64, fn func(plan.Event) error) error {
	if after <= 0 {
		return s.Stream(ctx, runID, fn)
	}
	if err := s.scanEvents(ctx, s.pool, runID, after+1, maxSeq, fn); err != nil {
		return fmt.Errorf("reading run %s after %d: %w", runID, after, err)
	}
	return nil
}
