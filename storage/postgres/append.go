package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Append implements storage.Store: one transaction checks the idempotency
// key and the run's head, stores the sealed events, moves the run row and
// enqueues the River jobs; then the run id is announced to listeners.
func (s *Store) Append(ctx context.Context, req storage.AppendRequest) (storage.AppendResult, error) {
	if err := storage.CheckAppend(req); err != nil {
		return storage.AppendResult{}, err
	}
	key := req.Events[0].IdempotencyKey
	res, err := s.appendTx(ctx, req, key)
	if err == nil {
		if !res.Replayed {
			last := res.Events[len(res.Events)-1]
			s.heads.put(req.RunID, last.Seq, last.Hash)
			s.notifier.add(req.RunID)
		}
		return res, nil
	}
	s.heads.drop(req.RunID)
	// Lost a race: the winner may have stored this very batch (a
	// duplicated delivery), which is a replay, not a conflict.
	var pgErr *pgconn.PgError
	if key != "" && (errors.Is(err, storage.ErrConflict) || errors.As(err, &pgErr) && pgErr.Code == "23505") {
		replay, found, rerr := s.replay(ctx, s.pool, key)
		if rerr != nil {
			return storage.AppendResult{}, fmt.Errorf("appending to run %s: %w", req.RunID, rerr)
		}
		if found {
			return replay, nil
		}
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if pgErr.ConstraintName == "events_idempotency_key" {
			return storage.AppendResult{}, fmt.Errorf("%w: run %s: %w: an idempotency key of the batch was used by another event", storage.ErrInvalidAppend, req.RunID, storage.ErrKeyUsed)
		}
		return storage.AppendResult{}, storage.ConflictError(req.RunID, req.ExpectedSeq, -1)
	}
	return storage.AppendResult{}, err
}

// appendTx runs one append. Without jobs, when this process knows the
// run's head, it is one statement; otherwise it pipelines the transaction
// in two round trips (BEGIN with the reads, the writes with COMMIT). With
// jobs River needs a pgx.Tx, so it uses one.
func (s *Store) appendTx(ctx context.Context, req storage.AppendRequest, key string) (storage.AppendResult, error) {
	if len(req.Jobs) > 0 {
		return s.appendWithJobs(ctx, req, key)
	}
	if h, ok := s.heads.get(req.RunID); ok && h.seq == req.ExpectedSeq {
		res, ok, err := s.appendFast(ctx, req, h)
		if err != nil || ok {
			return res, err
		}
		// The head moved: find out how, the slow way.
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return storage.AppendResult{}, fmt.Errorf("appending to run %s: %w", req.RunID, err)
	}
	defer conn.Release() // the pool destroys a connection left inside a transaction
	committed := false
	defer func() {
		if !committed && conn.Conn().PgConn().TxStatus() != 'I' {
			conn.Exec(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the append's error says more
		}
	}()

	// Round trip 1: BEGIN; was the batch stored before; where is the run?
	h := &head{}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	h.queue(b, req.RunID, key)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return storage.AppendResult{}, fmt.Errorf("appending to run %s: reading its head: %w", req.RunID, err)
	}
	if h.found {
		return s.replayBatch(ctx, s.pool, h.batch)
	}
	events, err := h.seal(req)
	if err != nil {
		return storage.AppendResult{}, err
	}

	// Round trip 2: events, run row, COMMIT.
	b = &pgx.Batch{}
	s.queueWrites(b, req, events, nil)
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return storage.AppendResult{}, fmt.Errorf("appending to run %s: writing: %w", req.RunID, err)
	}
	committed = true
	return storage.AppendResult{Events: events}, nil
}

// appendFast appends after a known head in one statement; false when the
// run is no longer at that head.
func (s *Store) appendFast(ctx context.Context, req storage.AppendRequest, h runHead) (storage.AppendResult, bool, error) {
	events, err := storage.SealBatch(req, h.hash)
	if err != nil {
		return storage.AppendResult{}, false, err
	}
	last := events[len(events)-1]
	sql, cols := sqlAppendFast, eventColumns(req.RunID, events, nil)
	if len(events) == 1 {
		sql, cols = sqlAppendFastOne, eventColumn(req.RunID, last)
	}
	args := append(cols,
		req.Meta.PlanID, req.Meta.PlanHash, req.Meta.State, req.Meta.Drill, nonNil(req.Meta.Services),
		last.At, last.Hash, h.seq, h.hash)
	var stored int
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&stored); err != nil {
		return storage.AppendResult{}, false, fmt.Errorf("appending to run %s: %w", req.RunID, err)
	}
	if stored != len(events) {
		return storage.AppendResult{}, false, nil
	}
	return storage.AppendResult{Events: events}, true, nil
}

// appendWithJobs is appendTx in a pgx.Tx, for River's InsertManyTx.
func (s *Store) appendWithJobs(ctx context.Context, req storage.AppendRequest, key string) (res storage.AppendResult, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("appending to run %s: beginning: %w", req.RunID, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the append's error says more
		}
	}()
	h := &head{}
	b := &pgx.Batch{}
	h.queue(b, req.RunID, key)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return res, fmt.Errorf("appending to run %s: reading its head: %w", req.RunID, err)
	}
	if h.found {
		tx.Rollback(ctx) //nolint:errcheck // nothing was written
		return s.replayBatch(ctx, s.pool, h.batch)
	}
	events, err := h.seal(req)
	if err != nil {
		return res, err
	}
	jobIDs, err := s.InsertTx(ctx, tx, req.Jobs)
	if err != nil {
		return res, fmt.Errorf("appending to run %s: %w", req.RunID, err)
	}
	b = &pgx.Batch{}
	s.queueWrites(b, req, events, jobIDs)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return res, fmt.Errorf("appending to run %s: writing: %w", req.RunID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("appending to run %s: committing: %w", req.RunID, err)
	}
	return storage.AppendResult{Events: events, JobIDs: jobIDs}, nil
}

// head is what an append reads before it writes: a stored batch of its
// idempotency key, and the run's last seq and hash, row locked.
type head struct {
	batch   batchRow
	found   bool
	exists  bool
	lastSeq int64
	hash    string
}

func (h *head) queue(b *pgx.Batch, runID, key string) {
	if key != "" {
		b.Queue(sqlFindBatch, key).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&h.batch.runID, &h.batch.first, &h.batch.last, &h.batch.jobIDs)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			h.found = err == nil
			return err
		})
	}
	b.Queue(sqlLockRun, runID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&h.lastSeq, &h.hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		h.exists = err == nil
		return err
	})
}

// seal checks the expected seq against the head and seals the batch.
func (h *head) seal(req storage.AppendRequest) ([]plan.Event, error) {
	if !h.exists {
		h.lastSeq, h.hash = 0, plan.GenesisHash
	}
	if h.lastSeq != req.ExpectedSeq {
		return nil, storage.ConflictError(req.RunID, req.ExpectedSeq, h.lastSeq)
	}
	return storage.SealBatch(req, h.hash)
}

// queueWrites queues the statements that store a sealed batch. The run row
// is locked (or, for a new run, the first event's primary key settles a
// race), so the run row's update cannot miss.
func (s *Store) queueWrites(b *pgx.Batch, req storage.AppendRequest, events []plan.Event, jobIDs []int64) {
	b.Queue(sqlInsertEvents, eventColumns(req.RunID, events, jobIDs)...)
	first, last := events[0], events[len(events)-1]
	b.Queue(sqlUpsertRun, req.RunID, req.Meta.PlanID, req.Meta.PlanHash, req.Meta.State, req.Meta.Drill,
		nonNil(req.Meta.Services), first.At, last.At, last.Seq, last.Hash)
}

// eventColumns turns sealed events and their jobs into the arguments of
// sqlInsertEvents ($1…$15).
func eventColumns(runID string, events []plan.Event, jobIDs []int64) []any {
	n := len(events)
	var (
		seq                       = make([]int64, n)
		at                        = make([]time.Time, n)
		platform, user, name, typ = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		payload, payloadText, key = make([]string, n), make([]string, n), make([]string, n)
		prev, hash                = make([]string, n), make([]string, n)
	)
	for i, e := range events {
		seq[i], at[i] = e.Seq, e.At
		platform[i], user[i], name[i], typ[i] = e.Actor.Platform, e.Actor.UserID, e.Actor.Name, string(e.Type)
		payload[i] = string(e.Payload)
		if !jsonbKeepsNumbers(e.Payload) {
			payloadText[i] = payload[i]
		}
		key[i], prev[i], hash[i] = e.IdempotencyKey, e.PrevHash, e.Hash
	}
	return []any{runID, seq, at, platform, user, name, typ, payload, payloadText, key, prev, hash,
		events[0].Seq, events[n-1].Seq, nonNil(jobIDs)}
}

// eventColumn is eventColumns for a batch of one event, as scalars
// (sqlAppendFastOne).
func eventColumn(runID string, e plan.Event) []any {
	var payloadText string
	if !jsonbKeepsNumbers(e.Payload) {
		payloadText = string(e.Payload)
	}
	return []any{runID, e.Seq, e.At, e.Actor.Platform, e.Actor.UserID, e.Actor.Name, string(e.Type),
		string(e.Payload), payloadText, e.IdempotencyKey, e.PrevHash, e.Hash, e.Seq, e.Seq, []int64{}}
}

// batchRow locates a stored batch.
type batchRow struct {
	runID       string
	first, last int64
	jobIDs      []int64
}

// querier is what reads need: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// replay returns the batch key opened, if any.
func (s *Store) replay(ctx context.Context, q querier, key string) (storage.AppendResult, bool, error) {
	var b batchRow
	err := q.QueryRow(ctx, sqlFindBatch, key).Scan(&b.runID, &b.first, &b.last, &b.jobIDs)
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.AppendResult{}, false, nil
	}
	if err != nil {
		return storage.AppendResult{}, false, fmt.Errorf("looking up idempotency key %q: %w", key, err)
	}
	res, err := s.replayBatch(ctx, q, b)
	return res, err == nil, err
}

func (s *Store) replayBatch(ctx context.Context, q querier, b batchRow) (storage.AppendResult, error) {
	if b.last < 0 {
		return storage.AppendResult{}, fmt.Errorf("%w: run %s: %w: the idempotency key of the batch's first event belongs to event %d, inside another batch", storage.ErrInvalidAppend, b.runID, storage.ErrKeyUsed, b.first)
	}
	res := storage.AppendResult{Replayed: true, JobIDs: b.jobIDs}
	err := s.scanEvents(ctx, q, b.runID, b.first, b.last, func(e plan.Event) error {
		res.Events = append(res.Events, e)
		return nil
	})
	if err != nil {
		return storage.AppendResult{}, fmt.Errorf("replaying batch %d..%d of run %s: %w", b.first, b.last, b.runID, err)
	}
	if len(res.JobIDs) == 0 {
		res.JobIDs = nil
	}
	return res, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const maxSeq = math.MaxInt64
