package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/postgres"
)

// defaultURL is this machine's PostgreSQL (trust auth, user root), used
// when DATABASE_URL is unset outside CI.
const defaultURL = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"

var (
	checkOnce sync.Once
	checkErr  error
)

// databaseURL returns the PostgreSQL to test against. It fails the test
// when CI=true and the database is unreachable, and skips it otherwise.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("DATABASE_URL is not set (CI=true: PostgreSQL tests must run)")
		}
		url = defaultURL
	}
	checkOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		checkErr = err
	})
	if checkErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL unreachable (CI=true): %v", checkErr)
		}
		tb.Skipf("PostgreSQL unreachable, skipping (set DATABASE_URL): %v", checkErr)
	}
	return url
}

// newSchema returns a fresh schema name and drops that schema when the
// test ends.
func newSchema(tb testing.TB) string {
	tb.Helper()
	url := databaseURL(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// openStore opens a migrated store on schema, closed when the test ends.
func openStore(tb testing.TB, schema string, jobs storage.JobsConfig) *postgres.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := postgres.New(ctx, postgres.Config{URL: databaseURL(tb), Schema: schema, Jobs: jobs, MaxConns: 60})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("closing the store: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// setup opens a store on a schema of its own.
func setup(tb testing.TB) (*postgres.Store, string) {
	tb.Helper()
	schema := newSchema(tb)
	return openStore(tb, schema, storage.JobsConfig{}), schema
}

// mustAppendOne appends one note at the run's head.
func mustAppendOne(tb testing.TB, s storage.Store, runID string) {
	tb.Helper()
	ctx := context.Background()
	var head int64
	events, err := s.Load(ctx, runID)
	if err == nil {
		head = events[len(events)-1].Seq
	}
	_, err = s.Append(ctx, storage.AppendRequest{RunID: runID, ExpectedSeq: head, Events: []plan.Event{{
		At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: plan.System, Type: plan.EventNoteAdded,
		Payload: []byte(`{"text":"nota"}`),
	}}})
	if err != nil {
		tb.Fatalf("appending to %s: %v", runID, err)
	}
}

// verifyRun verifies a run's chain and returns its length.
func verifyRun(tb testing.TB, s storage.Store, runID string) int64 {
	tb.Helper()
	v := plan.NewVerifier()
	if err := s.Stream(context.Background(), runID, v.Add); err != nil {
		tb.Fatalf("verifying %s: %v", runID, err)
	}
	return v.Count()
}

func itoa(n int) string { return strconv.Itoa(n) }
