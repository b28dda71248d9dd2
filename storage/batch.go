package storage

import (
	"errors"
	"fmt"
	"slices"

	"github.com/contingencia/contingencia/plan"
)

// ErrInvalidAppend wraps what is wrong with an AppendRequest itself: no
// run id, no events, a key used twice. Retrying cannot help.
var ErrInvalidAppend = errors.New("storage: invalid append")

// ErrKeyUsed means an idempotency key of the batch was stored before, but
// not as the first key of a batch (commands stored together in one
// commit): the command it names is already in the timeline. It comes
// wrapped with ErrInvalidAppend.
var ErrKeyUsed = errors.New("idempotency key already stored")

// CheckAppend validates req before a store opens a transaction.
func CheckAppend(req AppendRequest) error {
	switch {
	case req.RunID == "":
		return fmt.Errorf("%w: no run id", ErrInvalidAppend)
	case len(req.Events) == 0:
		return fmt.Errorf("%w: run %s: no events", ErrInvalidAppend, req.RunID)
	case req.ExpectedSeq < 0:
		return fmt.Errorf("%w: run %s: negative expected seq %d", ErrInvalidAppend, req.RunID, req.ExpectedSeq)
	}
	keys := make(map[string]bool, len(req.Events))
	for i, e := range req.Events {
		if e.RunID != "" && e.RunID != req.RunID {
			return fmt.Errorf("%w: event %d belongs to run %s, not %s", ErrInvalidAppend, i, e.RunID, req.RunID)
		}
		if e.Type == "" {
			return fmt.Errorf("%w: run %s: event %d has no type", ErrInvalidAppend, req.RunID, i)
		}
		if e.At.IsZero() {
			return fmt.Errorf("%w: run %s: event %d has no time", ErrInvalidAppend, req.RunID, i)
		}
		if k := e.IdempotencyKey; k != "" {
			if keys[k] {
				return fmt.Errorf("%w: run %s: idempotency key %q used twice in one batch", ErrInvalidAppend, req.RunID, k)
			}
			keys[k] = true
		}
	}
	return nil
}

// SealBatch returns copies of req's events sealed after the event with seq
// req.ExpectedSeq and hash head (plan.GenesisHash for a new run).
func SealBatch(req AppendRequest, head string) ([]plan.Event, error) {
	events := slices.Clone(req.Events)
	prev := head
	for i := range events {
		events[i].RunID = req.RunID
		events[i].Payload = slices.Clone(events[i].Payload)
		if err := plan.Seal(&events[i], req.ExpectedSeq+int64(i)+1, prev); err != nil {
			return nil, fmt.Errorf("%w: run %s: event %d: %w", ErrInvalidAppend, req.RunID, i, err)
		}
		prev = events[i].Hash
	}
	return events, nil
}

// ConflictError builds the error of an append whose ExpectedSeq is stale;
// actual is the run's last seq, or negative when unknown.
func ConflictError(runID string, expected, actual int64) error {
	if actual < 0 {
		return fmt.Errorf("appending to run %s after seq %d: another writer appended first: %w", runID, expected, ErrConflict)
	}
	return fmt.Errorf("appending to run %s after seq %d (the run is at seq %d): %w", runID, expected, actual, ErrConflict)
}
