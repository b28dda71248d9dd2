package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/contingencia/contingencia/storage"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

var migrations = func() []storage.Migration {
	m, err := storage.ReadMigrations(migrationFS, "migrations")
	if err != nil {
		panic(err) // the embedded files are part of the binary: a test catches this
	}
	return m
}()

// LatestVersion is the schema version this binary needs.
func LatestVersion() int { return len(migrations) }

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT`

// Migrate applies the pending migrations, ours then River's, each in a
// transaction that holds the database's write lock. It refuses a schema
// newer than this binary.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for {
		done, err := s.step(ctx, func(tx *sql.Tx, current int) (bool, error) {
			if current > len(migrations) {
				return false, storage.SchemaNewerError(current, len(migrations))
			}
			if current == len(migrations) {
				return true, nil
			}
			m := migrations[current]
			if _, err := tx.ExecContext(ctx, m.Up); err != nil {
				return false, fmt.Errorf("applying migration %03d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)`, m.Version, m.Name); err != nil {
				return false, fmt.Errorf("applying migration %03d_%s: %w", m.Version, m.Name, err)
			}
			s.logger.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name)
			return false, nil
		})
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	if err := s.riverMigrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("applying the job queue's migrations: %w", err)
	}
	return nil
}

// MigrateDown reverts every migration, River's then ours, dropping all
// data: it exists for CI's up-down-up check and for uninstalling.
func (s *Store) MigrateDown(ctx context.Context) error {
	if err := s.riverMigrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
		return fmt.Errorf("reverting the job queue's migrations: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for {
		done, err := s.step(ctx, func(tx *sql.Tx, current int) (bool, error) {
			if current > len(migrations) {
				return false, storage.SchemaNewerError(current, len(migrations))
			}
			if current == 0 {
				return true, nil
			}
			m := migrations[current-1]
			if _, err := tx.ExecContext(ctx, m.Down); err != nil {
				return false, fmt.Errorf("reverting migration %03d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?1`, m.Version); err != nil {
				return false, fmt.Errorf("reverting migration %03d_%s: %w", m.Version, m.Name, err)
			}
			s.logger.InfoContext(ctx, "reverted migration", "version", m.Version, "name", m.Name)
			return false, nil
		})
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	if _, err := s.db.ExecContext(ctx, `DROP TABLE schema_migrations`); err != nil {
		return fmt.Errorf("dropping schema_migrations: %w", err)
	}
	return nil
}

// step runs fn in a write transaction with the current schema version;
// fn reports whether there is nothing left to do.
func (s *Store) step(ctx context.Context, fn func(tx *sql.Tx, current int) (bool, error)) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrating %s: %w", s.path, err)
	}
	defer func() {
		if err != nil || done {
			tx.Rollback() //nolint:errcheck // nothing to keep
		}
	}()
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, fmt.Errorf("reading the schema version: %w", err)
	}
	if done, err = fn(tx, current); err != nil || done {
		return done, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrating %s: committing: %w", s.path, err)
	}
	return false, nil
}

// SchemaVersion is the version of the last migration applied (0 when
// none).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}

func (s *Store) riverMigrate(ctx context.Context, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) error {
	m, err := rivermigrate.New(riversqlite.New(s.db), &rivermigrate.Config{Logger: s.logger})
	if err == nil {
		_, err = m.Migrate(ctx, dir, opts)
	}
	return err
}
