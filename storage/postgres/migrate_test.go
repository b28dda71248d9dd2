package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/postgres"
)

// tables lists the tables of a schema.
func tables(tb testing.TB, s *postgres.Store, schema string) []string {
	tb.Helper()
	rows, err := s.Pool().Query(context.Background(),
		`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
	if err != nil {
		tb.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()

	t.Run("up, down and up again", func(t *testing.T) {
		s, schema := setup(t)
		up := tables(t, s, schema)
		for _, want := range []string{"events", "runs", "run_numbers", "schema_migrations", "river_job"} {
			if !contains(up, want) {
				t.Fatalf("after Migrate, tables %v lack %s", up, want)
			}
		}
		mustAppendOne(t, s, "r")
		if err := s.MigrateDown(ctx); err != nil {
			t.Fatalf("MigrateDown: %v", err)
		}
		if down := tables(t, s, schema); len(down) != 0 {
			t.Fatalf("after MigrateDown, tables %v remain", down)
		}
		if err := s.Ping(ctx); !errors.Is(err, storage.ErrNotMigrated) {
			t.Fatalf("Ping after MigrateDown = %v, want ErrNotMigrated", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
		if again := tables(t, s, schema); strings.Join(again, ",") != strings.Join(up, ",") {
			t.Fatalf("tables after up-down-up %v, want %v", again, up)
		}
		mustAppendOne(t, s, "r")
	})

	t.Run("is idempotent", func(t *testing.T) {
		s, _ := setup(t)
		mustAppendOne(t, s, "r")
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != postgres.LatestVersion() {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, postgres.LatestVersion())
		}
		if _, err := s.Load(ctx, "r"); err != nil {
			t.Fatalf("data lost by a second Migrate: %v", err)
		}
	})

	t.Run("replicas migrating together do not race", func(t *testing.T) {
		schema := newSchema(t)
		var g errgroup.Group
		for range 5 {
			s, err := postgres.New(ctx, postgres.Config{URL: databaseURL(t), Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			g.Go(func() error { return s.Migrate(ctx) })
		}
		if err := g.Wait(); err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	})

	t.Run("refuses a schema newer than the binary", func(t *testing.T) {
		s, _ := setup(t)
		next := postgres.LatestVersion() + 1
		if _, err := s.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')`, next); err != nil {
			t.Fatal(err)
		}
		err := s.Migrate(ctx)
		if !errors.Is(err, storage.ErrSchemaNewer) {
			t.Fatalf("Migrate = %v, want ErrSchemaNewer", err)
		}
		want := "database schema version " + itoa(next) + " is newer than this binary's " + itoa(next-1) + ": upgrade contingencia"
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
		if err := s.Ping(ctx); !errors.Is(err, storage.ErrSchemaNewer) {
			t.Fatalf("Ping = %v, want ErrSchemaNewer", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	tests := []struct {
		name, url, addr string
	}{
		{"closed port with a password", "postgres://root:s3cr3t-pw@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5", "127.0.0.1:1"},
		{"key-value DSN", "host=127.0.0.1 port=2 user=root password=s3cr3t-pw dbname=postgres sslmode=disable connect_timeout=5", "127.0.0.1:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := postgres.New(context.Background(), postgres.Config{URL: tt.url})
			if err == nil {
				t.Fatal("New succeeded against a closed port")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cannot reach PostgreSQL at "+tt.addr+": ") {
				t.Fatalf("error %q does not name %s", msg, tt.addr)
			}
			if strings.Contains(msg, "s3cr3t-pw") {
				t.Fatalf("error %q shows the password", msg)
			}
		})
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	s, _ := setup(t)
	ctx := context.Background()
	mustAppendOne(t, s, "r")
	tests := []struct {
		name, sql string
	}{
		{"update", `UPDATE events SET payload = '{"text":"forged"}' WHERE run_id = 'r'`},
		{"delete", `DELETE FROM events WHERE run_id = 'r'`},
		{"truncate", `TRUNCATE events`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Pool().Exec(ctx, tt.sql)
			if err == nil || !strings.Contains(err.Error(), "events are append-only") {
				t.Fatalf("%s = %v, want it refused", tt.name, err)
			}
		})
	}
	if n := verifyRun(t, s, "r"); n != 1 {
		t.Fatalf("run has %d events after refused changes", n)
	}
	t.Run("tampering with the trigger disabled is detected", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only_rows`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE events SET payload = '{"text":"forged"}' WHERE run_id = 'r'`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `ALTER TABLE events ENABLE TRIGGER events_append_only_rows`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		v := plan.NewVerifier()
		err = s.Stream(ctx, "r", v.Add)
		var chainErr *plan.ChainError
		if !errors.As(err, &chainErr) || chainErr.Seq != 1 {
			t.Fatalf("Stream+verify = %v, want a ChainError at seq 1", err)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
