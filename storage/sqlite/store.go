package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/contingencia/contingencia/storage"
)

// Config configures a Store. Only Path is required.
type Config struct {
	// Path is the database file, created when missing.
	Path string
	// MaxOpenConns bounds the connection pool (default 8). SQLite has one
	// writer at a time; more connections only serve concurrent readers.
	MaxOpenConns int
	// Logger receives the store's and River's logs (discarded when nil).
	Logger *slog.Logger
	// Jobs configures the River client.
	Jobs storage.JobsConfig
}

// DSN is the modernc.org/sqlite data source name of a database file: WAL,
// a 5 s busy timeout, and transactions that take the write lock when they
// begin (without it, a transaction that reads before it writes fails with
// SQLITE_BUSY under concurrency).
func DSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Store is the SQLite timeline store. It implements storage.Backend.
type Store struct {
	*storage.RiverJobs[*sql.Tx]

	db     *sql.DB
	path   string
	logger *slog.Logger
	hub    hub

	closeOnce sync.Once
}

var _ storage.Backend = (*Store)(nil)

// New opens (creating if needed) the database file. It does not migrate:
// call Migrate (storage/stores.Open does).
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite store: no database path")
	}
	db, err := sql.Open("sqlite", DSN(cfg.Path))
	if err != nil {
		return nil, fmt.Errorf("opening SQLite database %s: %w", cfg.Path, err)
	}
	db.SetMaxOpenConns(cmp.Or(cfg.MaxOpenConns, 8))
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", cfg.Path, err)
	}
	logger := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	jobs, err := storage.NewRiverJobs(riversqlite.New(db), cfg.Jobs, "", logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{RiverJobs: jobs, db: db, path: cfg.Path, logger: logger}, nil
}

// DB is the store's database handle (River shares it).
func (s *Store) DB() *sql.DB { return s.db }

// Ping implements storage.Store: the file answers and its schema is the
// one this binary needs.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("reaching SQLite database %s: %w", s.path, err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	return storage.CheckSchemaVersion(v, len(migrations))
}

// Close stops the job workers if they run and closes the database.
// Calling it again does nothing.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		err = errors.Join(s.StopJobs(context.Background()), s.db.Close())
	})
	return err
}
