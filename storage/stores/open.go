package stores

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/postgres"
	"github.com/contingencia/contingencia/storage/sqlite"
)

// DefaultURL is the store used when no database is configured.
const DefaultURL = "sqlite:contingencia.db"

// Config configures the store Open returns. The zero value is a store with
// an insert-only job client and default pool sizes.
type Config struct {
	Logger *slog.Logger
	Jobs   storage.JobsConfig
	// MaxConns bounds the connection pool (the driver's default when 0).
	MaxConns int
	// Schema is the PostgreSQL schema that holds the tables (the
	// connection's default when empty); ignored by SQLite.
	Schema string
}

// DB is an opened store that can also migrate its schema.
type DB interface {
	storage.Backend
	// Migrate applies pending migrations (ours and River's).
	Migrate(ctx context.Context) error
	// MigrateDown reverts every migration, dropping all data.
	MigrateDown(ctx context.Context) error
	// SchemaVersion is the version of the last migration applied.
	SchemaVersion(ctx context.Context) (int, error)
}

var (
	_ DB = (*postgres.Store)(nil)
	_ DB = (*sqlite.Store)(nil)
)

// Open connects to the store url names and applies pending migrations.
func Open(ctx context.Context, url string, cfg Config) (DB, error) {
	db, err := Connect(ctx, url, cfg)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	return db, nil
}

// Connect connects to the store url names without migrating it.
func Connect(ctx context.Context, url string, cfg Config) (DB, error) {
	kind, target, err := Parse(url)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindPostgres:
		return postgres.New(ctx, postgres.Config{
			URL: target, Schema: cfg.Schema, MaxConns: int32(cfg.MaxConns), Logger: cfg.Logger, Jobs: cfg.Jobs,
		})
	default:
		return sqlite.New(ctx, sqlite.Config{Path: target, MaxOpenConns: cfg.MaxConns, Logger: cfg.Logger, Jobs: cfg.Jobs})
	}
}

// Kind names a store implementation.
type Kind string

// The stores Open knows.
const (
	KindPostgres Kind = "postgres"
	KindSQLite   Kind = "sqlite"
)

// Parse tells which store url names and what to open: the PostgreSQL URL
// itself, or the SQLite file path.
func Parse(url string) (Kind, string, error) {
	switch {
	case url == "":
		return KindSQLite, strings.TrimPrefix(DefaultURL, "sqlite:"), nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return KindPostgres, url, nil
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if strings.HasPrefix(path, "//") { // sqlite:///abs/path, sqlite://rel/path
			path = strings.TrimPrefix(path, "//")
		}
		if path == "" {
			return "", "", fmt.Errorf("database URL %q names no file: use sqlite:PATH", url)
		}
		return KindSQLite, path, nil
	}
	scheme, _, found := strings.Cut(url, ":")
	if !found || strings.ContainsAny(scheme, "/@ ") {
		scheme = "(none)"
	}
	// The URL itself may hold a password: name only its scheme.
	return "", "", fmt.Errorf("unsupported database URL scheme %s: use postgres://… or sqlite:PATH", scheme)
}
