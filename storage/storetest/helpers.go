package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// base is the suite's clock: events are stamped from it, never from the
// wall clock, so that listings by date are deterministic.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// event returns an unsealed note event at base+offset.
func event(offset time.Duration, key string, text string) plan.Event {
	payload, _ := json.Marshal(map[string]string{"text": text})
	return plan.Event{
		At:             base.Add(offset),
		Actor:          plan.Actor{Platform: "shell", UserID: "u1", Name: "Ana Pérez"},
		Type:           plan.EventNoteAdded,
		Payload:        payload,
		IdempotencyKey: key,
	}
}

// mustAppend appends and fails the test on error.
func mustAppend(tb testing.TB, s storage.Store, req storage.AppendRequest) storage.AppendResult {
	tb.Helper()
	res, err := s.Append(context.Background(), req)
	if err != nil {
		tb.Fatalf("Append(%s at %d): %v", req.RunID, req.ExpectedSeq, err)
	}
	return res
}

// appendRetrying appends events built by mk at the run's current head,
// reloading and retrying on ErrConflict, as the bot does.
func appendRetrying(ctx context.Context, s storage.Store, runID string, mk func(seq int64) []plan.Event) (storage.AppendResult, int, error) {
	var expected int64
	for attempt := 1; ; attempt++ {
		res, err := s.Append(ctx, storage.AppendRequest{RunID: runID, ExpectedSeq: expected, Events: mk(expected)})
		if err == nil {
			return res, attempt, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return res, attempt, err
		}
		if attempt > 10000 {
			return res, attempt, fmt.Errorf("still conflicting after %d attempts: %w", attempt, err)
		}
		events, err := s.Load(ctx, runID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			expected = 0
		case err != nil:
			return res, attempt, err
		default:
			expected = events[len(events)-1].Seq
		}
	}
}

// verify checks a run's whole chain through Stream and returns its length.
func verify(tb testing.TB, s storage.Store, runID string) int64 {
	tb.Helper()
	v := plan.NewVerifier()
	err := s.Stream(context.Background(), runID, func(e plan.Event) error {
		if e.RunID != runID {
			return fmt.Errorf("event %d belongs to run %q", e.Seq, e.RunID)
		}
		return v.Add(e)
	})
	if err != nil {
		tb.Fatalf("verifying run %s: %v", runID, err)
	}
	return v.Count()
}

// equalEvents fails unless got and want are the same events.
func equalEvents(tb testing.TB, got, want []plan.Event) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.RunID != w.RunID || g.Seq != w.Seq || !g.At.Equal(w.At) || g.Actor != w.Actor || g.Type != w.Type ||
			string(g.Payload) != string(w.Payload) || g.IdempotencyKey != w.IdempotencyKey ||
			g.PrevHash != w.PrevHash || g.Hash != w.Hash {
			tb.Fatalf("event %d differs:\n got  %+v\n want %+v", i, g, w)
		}
	}
}
