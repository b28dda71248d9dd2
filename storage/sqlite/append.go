package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Append implements storage.Store. The transaction begins with SQLite's
// write lock (BEGIN IMMEDIATE), so appends are serialised: the replay
// check and the head check see every earlier append.
func (s *Store) Append(ctx context.Context, req storage.AppendRequest) (res storage.AppendResult, err error) {
	if err := storage.CheckAppend(req); err != nil {
		return res, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("appending to run %s: beginning: %w", req.RunID, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback() //nolint:errcheck // the append's error says more
		}
	}()

	if key := req.Events[0].IdempotencyKey; key != "" {
		replay, found, err := s.replay(ctx, tx, key)
		if err != nil {
			return res, fmt.Errorf("appending to run %s: %w", req.RunID, err)
		}
		if found {
			tx.Rollback() //nolint:errcheck // nothing was written
			return replay, nil
		}
	}
	lastSeq, head := int64(0), plan.GenesisHash
	err = tx.QueryRowContext(ctx, sqlRunHead, req.RunID).Scan(&lastSeq, &head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("appending to run %s: reading its head: %w", req.RunID, err)
	}
	if lastSeq != req.ExpectedSeq {
		return res, storage.ConflictError(req.RunID, req.ExpectedSeq, lastSeq)
	}
	events, err := storage.SealBatch(req, head)
	if err != nil {
		return res, err
	}
	jobIDs, err := s.InsertTx(ctx, tx, req.Jobs)
	if err != nil {
		return res, fmt.Errorf("appending to run %s: %w", req.RunID, err)
	}
	if err := s.write(ctx, tx, req, events, jobIDs); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("appending to run %s: committing: %w", req.RunID, err)
	}
	s.hub.publish(req.RunID)
	return storage.AppendResult{Events: events, JobIDs: jobIDs}, nil
}

// write stores the sealed events, the batch and the run row.
func (s *Store) write(ctx context.Context, tx *sql.Tx, req storage.AppendRequest, events []plan.Event, jobIDs []int64) error {
	stmt, err := tx.PrepareContext(ctx, sqlInsertEvent)
	if err != nil {
		return fmt.Errorf("appending to run %s: %w", req.RunID, err)
	}
	defer stmt.Close()
	for _, e := range events {
		if _, err := stmt.ExecContext(ctx, req.RunID, e.Seq, e.At.UnixMicro(), e.Actor.Platform, e.Actor.UserID, e.Actor.Name,
			string(e.Type), string(e.Payload), e.IdempotencyKey, e.PrevHash, e.Hash); err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed: events.idempotency_key") {
				return fmt.Errorf("%w: run %s: %w: idempotency key %q was used by another event", storage.ErrInvalidAppend, req.RunID, storage.ErrKeyUsed, e.IdempotencyKey)
			}
			return fmt.Errorf("appending to run %s: event %d: %w", req.RunID, e.Seq, err)
		}
	}
	first, last := events[0], events[len(events)-1]
	if key := first.IdempotencyKey; key != "" {
		ids, _ := json.Marshal(nonNil(jobIDs))
		if _, err := tx.ExecContext(ctx, sqlInsertBatch, key, req.RunID, first.Seq, last.Seq, string(ids)); err != nil {
			return fmt.Errorf("appending to run %s: recording its batch: %w", req.RunID, err)
		}
	}
	services, _ := json.Marshal(nonNil(req.Meta.Services))
	if _, err := tx.ExecContext(ctx, sqlUpsertRun, req.RunID, req.Meta.PlanID, req.Meta.PlanHash, req.Meta.State, req.Meta.Drill,
		string(services), first.At.UnixMicro(), last.At.UnixMicro(), last.Seq, last.Hash); err != nil {
		return fmt.Errorf("appending to run %s: updating the run: %w", req.RunID, err)
	}
	return nil
}

// querier is what reads need: the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// replay returns the batch key opened, if any.
func (s *Store) replay(ctx context.Context, q querier, key string) (storage.AppendResult, bool, error) {
	var (
		runID       string
		first, last int64
		ids         string
	)
	err := q.QueryRowContext(ctx, sqlFindBatch, key).Scan(&runID, &first, &last, &ids)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.AppendResult{}, false, nil
	}
	if err != nil {
		return storage.AppendResult{}, false, fmt.Errorf("looking up idempotency key %q: %w", key, err)
	}
	res := storage.AppendResult{Replayed: true}
	if err := json.Unmarshal([]byte(ids), &res.JobIDs); err != nil {
		return storage.AppendResult{}, false, fmt.Errorf("reading the jobs of batch %q: %w", key, err)
	}
	if len(res.JobIDs) == 0 {
		res.JobIDs = nil
	}
	err = scanEvents(ctx, q, runID, first, last, func(e plan.Event) error {
		res.Events = append(res.Events, e)
		return nil
	})
	if err != nil {
		return storage.AppendResult{}, false, fmt.Errorf("replaying batch %q of run %s: %w", key, runID, err)
	}
	return res, true, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const maxSeq = math.MaxInt64
