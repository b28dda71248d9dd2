package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/sqlite"
)

func tables(tb testing.TB, s *sqlite.Store) []string {
	tb.Helper()
	rows, err := s.DB().QueryContext(context.Background(),
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func appendOne(tb testing.TB, s storage.Store, runID string) {
	tb.Helper()
	ctx := context.Background()
	var head int64
	if events, err := s.Load(ctx, runID); err == nil {
		head = events[len(events)-1].Seq
	}
	_, err := s.Append(ctx, storage.AppendRequest{RunID: runID, ExpectedSeq: head, Events: []plan.Event{{
		At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: plan.System, Type: plan.EventNoteAdded,
		Payload: []byte(`{"text":"nota"}`),
	}}})
	if err != nil {
		tb.Fatalf("appending to %s: %v", runID, err)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()

	t.Run("up, down and up again", func(t *testing.T) {
		s, _ := setup(t)
		up := tables(t, s)
		for _, want := range []string{"batches", "events", "river_job", "run_numbers", "runs", "schema_migrations"} {
			if !strings.Contains(","+strings.Join(up, ",")+",", ","+want+",") {
				t.Fatalf("after Migrate, tables %v lack %s", up, want)
			}
		}
		appendOne(t, s, "r")
		if err := s.MigrateDown(ctx); err != nil {
			t.Fatalf("MigrateDown: %v", err)
		}
		if down := tables(t, s); len(down) != 0 {
			t.Fatalf("after MigrateDown, tables %v remain", down)
		}
		if err := s.Ping(ctx); !errors.Is(err, storage.ErrNotMigrated) {
			t.Fatalf("Ping after MigrateDown = %v, want ErrNotMigrated", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
		if again := tables(t, s); strings.Join(again, ",") != strings.Join(up, ",") {
			t.Fatalf("tables after up-down-up %v, want %v", again, up)
		}
		appendOne(t, s, "r")
	})

	t.Run("is idempotent", func(t *testing.T) {
		s, _ := setup(t)
		appendOne(t, s, "r")
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != sqlite.LatestVersion() {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, sqlite.LatestVersion())
		}
	})

	t.Run("refuses a schema newer than the binary", func(t *testing.T) {
		s, _ := setup(t)
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?1, 'from_the_future')`, sqlite.LatestVersion()+1); err != nil {
			t.Fatal(err)
		}
		err := s.Migrate(ctx)
		if !errors.Is(err, storage.ErrSchemaNewer) || !strings.Contains(err.Error(), "is newer than this binary's") {
			t.Fatalf("Migrate = %v, want ErrSchemaNewer", err)
		}
		if err := s.Ping(ctx); !errors.Is(err, storage.ErrSchemaNewer) {
			t.Fatalf("Ping = %v, want ErrSchemaNewer", err)
		}
	})

	t.Run("reports a directory that does not exist", func(t *testing.T) {
		_, err := sqlite.New(ctx, sqlite.Config{Path: t.TempDir() + "/missing/contingencia.db"})
		if err == nil || !strings.Contains(err.Error(), "opening SQLite database") {
			t.Fatalf("New = %v, want an error naming the database", err)
		}
	})
}

func TestEventsAreAppendOnly(t *testing.T) {
	s, _ := setup(t)
	ctx := context.Background()
	appendOne(t, s, "r")
	tests := []struct {
		name, sql string
	}{
		{"update", `UPDATE events SET payload = '{"text":"forged"}' WHERE run_id = 'r'`},
		{"delete", `DELETE FROM events WHERE run_id = 'r'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.DB().ExecContext(ctx, tt.sql)
			if err == nil || !strings.Contains(err.Error(), "events are append-only") {
				t.Fatalf("%s = %v, want it refused", tt.name, err)
			}
		})
	}
	t.Run("tampering without the trigger is detected", func(t *testing.T) {
		if _, err := s.DB().ExecContext(ctx, `DROP TRIGGER events_no_update`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE events SET payload = '{"text":"forged"}' WHERE run_id = 'r'`); err != nil {
			t.Fatal(err)
		}
		v := plan.NewVerifier()
		err := s.Stream(ctx, "r", v.Add)
		var chainErr *plan.ChainError
		if !errors.As(err, &chainErr) || chainErr.Seq != 1 {
			t.Fatalf("Stream+verify = %v, want a ChainError at seq 1", err)
		}
	})
}
