package postgres_test

import (
	"context"
	"github.com/contingencia/contingencia/storage/storetest"
	"strconv"
	"sync"
	"testing"
	"time"

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

// databaseURL is the test database (storetest.PostgresURL: fails when
// CI=true and it is unreachable, skips otherwise).
func databaseURL(tb testing.TB) string {
	tb.Helper()
	return storetest.PostgresURL(tb)
}

// newSchema returns a fresh schema name and drops that schema when the
// test ends.
func newSchema(tb testing.TB) string {
	tb.Helper()
	_, schema := storetest.PostgresSchema(tb)
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
