package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestVerifyCatchesEventsRemovedFromTheEnd: with the triggers out of the
// way, deleting the last events (run.closed among them) leaves a chain
// that verifies; the head the runs table recorded does not match it.
func TestVerifyCatchesEventsRemovedFromTheEnd(t *testing.T) {
	for name, setup := range map[string]func(testing.TB) timelineFixture{
		"sqlite": setupTimeline, "postgres": setupPostgresTimeline,
	} {
		t.Run(name, func(t *testing.T) {
			fx := setup(t)
			code, stdout, stderr := runCLI(t, "verify", "--run", "CONT-2026-0001", "--database", fx.db)
			head, ok := strings.CutPrefix(strings.TrimSpace(stdout), "OK: 5 events, head ")
			if code != 0 || !ok {
				t.Fatalf("intact run: exit %d, %q %q", code, stdout, stderr)
			}
			removeAfter(t, fx.db, "CONT-2026-0001", 3)
			code, stdout, stderr = runCLI(t, "verify", "--run", "CONT-2026-0001", "--database", fx.db)
			want := "event 4: missing: the timeline ends at event 3 but the run's head is event 5 (hash " + head + "): events were removed"
			if code != 1 || stdout != "" || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
			}
			// The other run is untouched.
			if code, _, stderr := runCLI(t, "verify", "--run", "CONT-2026-0002", "--database", fx.db); code != 0 {
				t.Errorf("other run: exit %d, %s", code, stderr)
			}
		})
	}
}

// removeAfter deletes the events of runID after seq behind the store's
// back, with the append-only triggers out of the way; the runs row keeps
// the head it recorded.
func removeAfter(tb testing.TB, db, runID string, seq int) {
	tb.Helper()
	const remove = "DELETE FROM events WHERE run_id = $1 AND seq > $2"
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		conn, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Exec("DROP TRIGGER events_no_delete"); err != nil {
			tb.Fatalf("dropping the trigger: %v", err)
		}
		if _, err := conn.Exec(remove, runID, seq); err != nil {
			tb.Fatalf("removing events after %d: %v", seq, err)
		}
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ALTER TABLE events DISABLE TRIGGER USER"); err != nil {
		tb.Fatalf("disabling the triggers: %v", err)
	}
	if _, err := conn.Exec(ctx, remove, runID, seq); err != nil {
		tb.Fatalf("removing events after %d: %v", seq, err)
	}
}
