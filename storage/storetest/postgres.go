package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is this machine's PostgreSQL (trust auth, user root),
// used by tests when DATABASE_URL is unset outside CI.
const DefaultPostgresURL = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"

var (
	reachOnce sync.Once
	reachErr  error
)

// PostgresURL returns the PostgreSQL tests run against: DATABASE_URL, or
// DefaultPostgresURL outside CI. It fails the test when CI=true and the
// database is missing or unreachable, and skips it otherwise.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("DATABASE_URL is not set (CI=true: PostgreSQL tests must run)")
		}
		url = DefaultPostgresURL
	}
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		reachErr = err
	})
	if reachErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL unreachable (CI=true): %v", reachErr)
		}
		tb.Skipf("PostgreSQL unreachable, skipping (set DATABASE_URL): %v", reachErr)
	}
	return url
}

// PostgresSchema returns the test database and a fresh schema name for one
// test, so tests stay apart; the schema is dropped when the test ends.
func PostgresSchema(tb testing.TB) (url, schema string) {
	tb.Helper()
	url = PostgresURL(tb)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "test_" + hex.EncodeToString(b)
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
	return url, schema
}
