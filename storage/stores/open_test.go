package stores_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, url string
		kind      stores.Kind
		target    string
		err       string
	}{
		{"empty is the default file", "", stores.KindSQLite, "contingencia.db", ""},
		{"sqlite path", "sqlite:/var/lib/contingencia/c.db", stores.KindSQLite, "/var/lib/contingencia/c.db", ""},
		{"sqlite relative path", "sqlite:data/c.db", stores.KindSQLite, "data/c.db", ""},
		{"sqlite URL form", "sqlite:///tmp/c.db", stores.KindSQLite, "/tmp/c.db", ""},
		{"postgres", "postgres://u:p@db:5432/c", stores.KindPostgres, "postgres://u:p@db:5432/c", ""},
		{"postgresql", "postgresql://db/c?sslmode=require", stores.KindPostgres, "postgresql://db/c?sslmode=require", ""},
		{"sqlite without a path", "sqlite:", "", "", "names no file"},
		{"unknown scheme hides the password", "mysql://root:hunter2@db/c", "", "", "unsupported database URL scheme mysql"},
		{"no scheme", "contingencia.db", "", "", "unsupported database URL scheme (none)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, target, err := stores.Parse(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.url, err, tt.err)
				}
				return
			}
			if err != nil || kind != tt.kind || target != tt.target {
				t.Fatalf("Parse(%q) = %s, %q, %v; want %s, %q", tt.url, kind, target, err, tt.kind, tt.target)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("sqlite is migrated and ready", func(t *testing.T) {
		db, err := stores.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), stores.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping after Open: %v", err)
		}
		_, err = db.Append(ctx, storage.AppendRequest{RunID: "r", Events: []plan.Event{{
			At: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), Actor: plan.System, Type: plan.EventNoteAdded, Payload: []byte(`{}`),
		}}})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("postgres URLs go to PostgreSQL", func(t *testing.T) {
		_, err := stores.Open(ctx, "postgres://root:hunter2@127.0.0.1:1/c?connect_timeout=5", stores.Config{})
		if err == nil || !strings.HasPrefix(err.Error(), "cannot reach PostgreSQL at 127.0.0.1:1: ") || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Open = %v, want PostgreSQL unreachable without the password", err)
		}
	})

	t.Run("a bad URL is refused", func(t *testing.T) {
		if _, err := stores.Open(ctx, "redis://x", stores.Config{}); err == nil {
			t.Fatal("Open accepted redis://")
		}
	})
}
