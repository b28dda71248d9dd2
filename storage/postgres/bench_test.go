package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// BenchmarkAppend measures Append against PostgreSQL next to the raw rate
// of single-row INSERTs (autocommit, same row shape, same table indexes,
// no trigger) on the same database at the same concurrency, in the same
// run. Each writer appends one event with an idempotency key to a run of
// its own, as the bot does for a click. Reported: appends/s, raw_inserts/s
// and their ratio (target ≥ 0.5); ns/op is the append's.
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		name    string
		writers int
	}{
		{"one run", 1},
		{"50 concurrent runs", 50},
	} {
		b.Run(bc.name, func(b *testing.B) { benchAppend(b, bc.writers) })
	}
}

func benchAppend(b *testing.B, writers int) {
	ctx := context.Background()
	s := openStore(b, newSchema(b), storage.JobsConfig{})
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"step":"restore-ovf/deploy@db-quipux","text":"Servidor desplegado desde la copia OVF del 2026-03-01; verificando red y discos"}`)
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	actor := plan.Actor{Platform: "slack", UserID: "U0ANA", Name: "Ana Pérez"}
	hash := "3f1e0c0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a090"

	rawOp := func(w int, i int64) error {
		_, err := s.Pool().Exec(ctx, `INSERT INTO raw_events (run_id, seq, at, actor_platform, actor_user_id, actor_name, type,
			payload, idempotency_key, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			fmt.Sprintf("RAW-%d", w), i, at, actor.Platform, actor.UserID, actor.Name, string(plan.EventNoteAdded),
			string(payload), fmt.Sprintf("raw-%d-%d", w, i), hash, hash)
		return err
	}
	appendOp := func(w int, i int64) error {
		_, err := s.Append(ctx, storage.AppendRequest{
			RunID: fmt.Sprintf("CONT-2026-%04d", w), ExpectedSeq: i - 1,
			Events: []plan.Event{{At: at.Add(time.Duration(i) * time.Second), Actor: actor, Type: plan.EventNoteAdded,
				Payload: payload, IdempotencyKey: fmt.Sprintf("click-%d-%d", w, i)}},
			Meta: storage.RunMeta{State: "restoring"},
		})
		return err
	}

	// Rounds alternate the two, so that both see the same load on a
	// shared machine; each writer's sequence numbers carry on across
	// rounds. A lone writer's rate follows the disk's fsync latency, which
	// drifts quickly on a shared machine: it alternates more often.
	rounds := 10
	if writers == 1 {
		rounds = 50
	}
	rounds = min(rounds, b.N)
	rawSeq, appendSeq := make([]int64, writers), make([]int64, writers)
	var rawTime, appendTime time.Duration
	b.ResetTimer()
	for r := range rounds {
		n := b.N/rounds + boolInt(r < b.N%rounds)
		b.StopTimer()
		rawTime += parallel(b, n, rawSeq, rawOp)
		b.StartTimer()
		appendTime += parallel(b, n, appendSeq, appendOp)
	}
	b.StopTimer()
	appends := float64(b.N) / appendTime.Seconds()
	raw := float64(b.N) / rawTime.Seconds()

	b.ReportMetric(appends, "appends/s")
	b.ReportMetric(raw, "raw_inserts/s")
	b.ReportMetric(appends/raw, "ratio")
}

// parallel runs n operations spread over len(seq) writers; writer w runs
// its operations with i = seq[w]+1, seq[w]+2, … and leaves seq[w] at its
// last. It returns the wall time taken.
func parallel(b *testing.B, n int, seq []int64, op func(w int, i int64) error) time.Duration {
	b.Helper()
	var (
		left  atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	left.Store(int64(n))
	start := time.Now()
	for w := range seq {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				seq[w]++
				if err := op(w, seq[w]); err != nil {
					errMu.Lock()
					first = err
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		b.Fatal(first)
	}
	return elapsed
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}
