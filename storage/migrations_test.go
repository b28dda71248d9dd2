package storage_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/contingencia/contingencia/storage"
)

func TestReadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []int
		err   string
	}{
		{"in version order", fstest.MapFS{
			"m/002_more.up.sql": file("B"), "m/002_more.down.sql": file("b"),
			"m/001_first.up.sql": file("A"), "m/001_first.down.sql": file("a"),
		}, []int{1, 2}, ""},
		{"a gap", fstest.MapFS{
			"m/001_first.up.sql": file("A"), "m/001_first.down.sql": file("a"),
			"m/003_third.up.sql": file("C"), "m/003_third.down.sql": file("c"),
		}, nil, "version 2 missing"},
		{"no down file", fstest.MapFS{"m/001_first.up.sql": file("A")}, nil, "lacks its up or down"},
		{"a stray file", fstest.MapFS{"m/001_first.sql": file("A")}, nil, "unexpected file"},
		{"two names for a version", fstest.MapFS{
			"m/001_first.up.sql": file("A"), "m/001_other.down.sql": file("a"),
		}, nil, "named both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.ReadMigrations(tt.files, "m")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range got {
				if m.Version != tt.want[i] || m.Up == "" || m.Down == "" {
					t.Fatalf("migration %d = %+v", i, m)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d migrations, want %d", len(got), len(tt.want))
			}
		})
	}
}

func TestCheckSchemaVersion(t *testing.T) {
	tests := []struct {
		name    string
		db, bin int
		want    error
		text    string
	}{
		{"current", 3, 3, nil, ""},
		{"behind", 2, 3, storage.ErrNotMigrated, "run `contingencia migrate`"},
		{"ahead", 4, 3, storage.ErrSchemaNewer, "database schema version 4 is newer than this binary's 3: upgrade contingencia"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storage.CheckSchemaVersion(tt.db, tt.bin)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error %q does not say %q", err, tt.text)
			}
		})
	}
}
