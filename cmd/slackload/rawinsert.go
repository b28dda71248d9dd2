package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rawInsertRate measures the reference: single-row INSERTs, each its own
// transaction, by conc connections for d, into a table shaped like the
// timeline's, in a schema of its own dropped afterwards.
func rawInsertRate(ctx context.Context, url string, conc int, d time.Duration) (float64, error) {
	schema := "slackload_raw_" + randomHex(4)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return 0, fmt.Errorf("parsing the database URL: %w", err)
	}
	cfg.MaxConns = int32(conc)
	cfg.MinConns = int32(conc)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	defer dropSchema(url, schema)
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return 0, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE raw_events (
		run_id text NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL, type text NOT NULL,
		payload jsonb NOT NULL, idempotency_key text, PRIMARY KEY (run_id, seq))`); err != nil {
		return 0, err
	}
	var (
		n   atomic.Int64
		wg  sync.WaitGroup
		mu  sync.Mutex
		bad error
	)
	payload := `{"text":"carga de referencia: una fila por transacción, como una nota del bot"}`
	start := time.Now()
	deadline := start.Add(d)
	for w := range conc {
		wg.Go(func() {
			for seq := int64(1); time.Now().Before(deadline) && ctx.Err() == nil; seq++ {
				_, err := pool.Exec(ctx, `INSERT INTO raw_events (run_id, seq, at, type, payload, idempotency_key)
					VALUES ($1, $2, now(), 'note.added', $3, $4)`, fmt.Sprintf("RAW-%d", w), seq, payload, fmt.Sprintf("raw:%d:%d", w, seq))
				if err != nil {
					mu.Lock()
					bad = err
					mu.Unlock()
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if bad != nil {
		return 0, bad
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}
