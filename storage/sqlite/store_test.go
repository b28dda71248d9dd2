package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/sqlite"
	"github.com/contingencia/contingencia/storage/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// openStore opens a migrated store on path, closed when the test ends.
func openStore(tb testing.TB, path string, jobs storage.JobsConfig) *sqlite.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.New(ctx, sqlite.Config{Path: path, Jobs: jobs})
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

// setup opens a store on a file of its own.
func setup(tb testing.TB) (*sqlite.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "contingencia.db")
	return openStore(tb, path, storage.JobsConfig{}), path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (storage.Store, storetest.Reopen) {
		s, path := setup(t)
		return s, func(t *testing.T) storage.Store { return openStore(t, path, storage.JobsConfig{}) }
	})
}

func TestBackend(t *testing.T) {
	storetest.RunBackend(t, func(t *testing.T, jobs storage.JobsConfig) storage.Backend {
		return openStore(t, filepath.Join(t.TempDir(), "contingencia.db"), jobs)
	})
}
