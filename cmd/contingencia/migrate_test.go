package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrateCommand(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"migrates up", []string{"migrate", "--database", db}, 0, "sqlite schema at version 1\n", ""},
		{"again is a no-op", []string{"migrate", "--database", db}, 0, "sqlite schema at version 1\n", ""},
		{"down reverts everything", []string{"migrate", "--database", db, "--down"}, 0, "sqlite schema at version 0\n", ""},
		{"and up again", []string{"migrate", "--database", db}, 0, "sqlite schema at version 1\n", ""},
		{"unknown scheme", []string{"migrate", "--database", "mysql://root:pw@x/db"}, 1, "", "unsupported database URL scheme mysql"},
		{"unreachable PostgreSQL", []string{"migrate", "--database", "postgres://root:pw@127.0.0.1:1/db?connect_timeout=5"}, 1, "", "cannot reach PostgreSQL at 127.0.0.1:1"},
		{"arguments are a usage error", []string{"migrate", "extra"}, 2, "", "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
			if strings.Contains(stderr.String(), ":pw@") {
				t.Fatalf("stderr %q shows the password", stderr.String())
			}
		})
	}
}
