package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Two replicas appending to one run each trust their own idea of the
// run's head; the database must refuse every stale one.
func TestReplicasAppendingToOneRun(t *testing.T) {
	schema := newSchema(t)
	replicas := []storage.Store{openStore(t, schema, storage.JobsConfig{}), openStore(t, schema, storage.JobsConfig{})}
	ctx := context.Background()
	const writers, appends = 20, 5
	var g errgroup.Group
	for w := range writers {
		s := replicas[w%2]
		g.Go(func() error {
			var expected int64
			for i := 0; i < appends; {
				_, err := s.Append(ctx, storage.AppendRequest{RunID: "shared", ExpectedSeq: expected, Events: []plan.Event{{
					At: time.Date(2026, 1, 1, 0, 0, w, 0, time.UTC), Actor: plan.System, Type: plan.EventNoteAdded,
					Payload: []byte(fmt.Sprintf(`{"writer":%d,"n":%d}`, w, i)), IdempotencyKey: fmt.Sprintf("w%d-%d", w, i),
				}}})
				switch {
				case err == nil:
					i++
					expected++ // a guess: right only if nobody else appended
				case errors.Is(err, storage.ErrConflict):
					events, err := s.Load(ctx, "shared")
					if err != nil && !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					expected = int64(len(events))
				default:
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for i, s := range replicas {
		if n := verifyRun(t, s, "shared"); n != writers*appends {
			t.Fatalf("replica %d sees %d events, want %d", i, n, writers*appends)
		}
	}
}
