package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
)

// Migration is one versioned schema change of a store, read from its
// embedded NNN_name.up.sql and NNN_name.down.sql files.
type Migration struct {
	Version int
	Name    string
	Up      string
	Down    string
}

var migrationFile = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$`)

// ReadMigrations reads the migrations in dir of fsys, in version order.
// Versions start at 1 with no gaps, and each has both directions.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	byVersion := map[int]*Migration{}
	for _, e := range entries {
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("reading migrations: unexpected file %s", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		sql, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		mig := byVersion[v]
		if mig == nil {
			mig = &Migration{Version: v, Name: m[2]}
			byVersion[v] = mig
		}
		if mig.Name != m[2] {
			return nil, fmt.Errorf("reading migrations: version %d named both %s and %s", v, mig.Name, m[2])
		}
		if m[3] == "up" {
			mig.Up = string(sql)
		} else {
			mig.Down = string(sql)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("reading migrations: version %d missing", i+1)
		}
		if m.Up == "" || m.Down == "" {
			return nil, fmt.Errorf("reading migrations: version %d lacks its up or down file", m.Version)
		}
	}
	return out, nil
}

// ErrSchemaNewer means the database was migrated by a newer contingencia.
var ErrSchemaNewer = errors.New("storage: database schema is newer than this binary")

// ErrNotMigrated means the database lacks migrations this binary needs.
var ErrNotMigrated = errors.New("storage: database schema is not migrated")

// SchemaNewerError reports a database at version db when this binary
// knows up to version bin.
func SchemaNewerError(db, bin int) error {
	return fmt.Errorf("database schema version %d is newer than this binary's %d: upgrade contingencia: %w", db, bin, ErrSchemaNewer)
}

// CheckSchemaVersion compares a database's schema version with the
// binary's latest, for Ping.
func CheckSchemaVersion(db, bin int) error {
	switch {
	case db > bin:
		return SchemaNewerError(db, bin)
	case db < bin:
		return fmt.Errorf("database schema version %d, this binary needs %d: run `contingencia migrate`: %w", db, bin, ErrNotMigrated)
	}
	return nil
}
