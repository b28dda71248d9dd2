package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
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

// Migrate applies the pending migrations, ours then River's, each in a
// transaction, holding an advisory lock so that replicas starting together
// do not race. It refuses a schema newer than this binary.
func (s *Store) Migrate(ctx context.Context) error {
	return s.withMigrationLock(ctx, func(conn *pgxpool.Conn) error {
		if s.schema != "" {
			if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return fmt.Errorf("creating schema %s: %w", s.schema, err)
			}
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		current, err := schemaVersion(ctx, conn)
		if err != nil {
			return err
		}
		if current > len(migrations) {
			return storage.SchemaNewerError(current, len(migrations))
		}
		for _, m := range migrations[current:] {
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, m.Up); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
				return err
			})
			if err != nil {
				return fmt.Errorf("applying migration %03d_%s: %w", m.Version, m.Name, err)
			}
			s.logger.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name)
		}
		if err := s.riverMigrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("applying the job queue's migrations: %w", err)
		}
		return nil
	})
}

// MigrateDown reverts every migration, River's then ours, dropping all
// data: it exists for CI's up-down-up check and for uninstalling.
func (s *Store) MigrateDown(ctx context.Context) error {
	defer s.heads.clear()
	return s.withMigrationLock(ctx, func(conn *pgxpool.Conn) error {
		if err := s.riverMigrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
			return fmt.Errorf("reverting the job queue's migrations: %w", err)
		}
		current, err := schemaVersion(ctx, conn)
		if err != nil {
			return err
		}
		if current > len(migrations) {
			return storage.SchemaNewerError(current, len(migrations))
		}
		for i := current - 1; i >= 0; i-- {
			m := migrations[i]
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, m.Down); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, m.Version)
				return err
			})
			if err != nil {
				return fmt.Errorf("reverting migration %03d_%s: %w", m.Version, m.Name, err)
			}
			s.logger.InfoContext(ctx, "reverted migration", "version", m.Version, "name", m.Name)
		}
		if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS schema_migrations`); err != nil {
			return fmt.Errorf("dropping schema_migrations: %w", err)
		}
		return nil
	})
}

// SchemaVersion is the version of the last migration applied (0 when
// none).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, &unreachableError{addr: s.addr, msg: err.Error(), err: err}
	}
	defer conn.Release()
	return schemaVersion(ctx, conn)
}

func schemaVersion(ctx context.Context, conn *pgxpool.Conn) (int, error) {
	var v int
	err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}

func (s *Store) riverMigrate(ctx context.Context, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) error {
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Schema: s.schema, Logger: s.logger})
	if err == nil {
		_, err = m.Migrate(ctx, dir, opts)
	}
	return err
}

// withMigrationLock runs fn on one connection holding the session advisory
// lock of this schema's migrations.
func (s *Store) withMigrationLock(ctx context.Context, fn func(*pgxpool.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return &unreachableError{addr: s.addr, msg: err.Error(), err: err}
	}
	defer conn.Release()
	key := "contingencia.migrate." + s.schema
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
		return fmt.Errorf("waiting for the migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx is done.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, key); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing drops the lock
		}
	}()
	return fn(conn)
}
