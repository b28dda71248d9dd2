package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// writeFile writes size bytes at dir/name, modified age before now.
func writeFile(tb testing.TB, dir, name string, size int, age time.Duration) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "quipux.dump", 2048, 3*time.Hour)
	cases := []struct {
		name    string
		params  map[string]any
		wantMsg string
		wantErr string
	}{
		{"exists, big and recent enough", map[string]any{"path": f, "min_size": 1024, "max_age": "4h"}, "Archivo " + f + ": 2.0 KiB, de hace 3 h (máximo 4 h)", ""},
		{"missing", map[string]any{"path": filepath.Join(dir, "nada")}, "", "no existe"},
		{"too small", map[string]any{"path": f, "min_size": 4096}, "", "menor que el mínimo de 4.0 KiB"},
		{"too old", map[string]any{"path": f, "max_age": "1h"}, "", "más antigua que el máximo de 1 h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := run(t, New(Config{Now: clock(now)}), "check.file", tc.params)
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}

func TestReadiness(t *testing.T) {
	dir := t.TempDir()
	fresh := writeFile(t, dir, "db.ova", 4096, 5*time.Hour)
	stale := writeFile(t, dir, "app.ova", 4096, 30*time.Hour)
	backups := filepath.Join(dir, "respaldos")
	if err := os.Mkdir(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, backups, "quipux-lunes.dump", 100, 50*time.Hour)
	newest := writeFile(t, backups, "quipux-martes.dump", 100, 2*time.Hour)
	doc := writeFile(t, dir, "db-config.pdf", 10, 24*time.Hour)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/docs/db.pdf" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Last-Modified", now.Add(-48*time.Hour).Format(http.TimeFormat))
	}))
	defer web.Close()

	p := &plan.Plan{Services: []plan.Service{
		{ID: "quipux", RPO: plan.Duration(24 * time.Hour), Servers: []string{"db", "app"}},
		{ID: "portal", RPO: plan.Duration(7 * 24 * time.Hour), Servers: []string{"app"}},
	}}
	cases := []struct {
		name    string
		kind    string
		server  plan.Server
		wantMsg string
		wantErr string
	}{
		{"a copy younger than the RPO", "check.copy", plan.Server{ID: "db", Copy: &plan.Copy{Format: plan.FormatOVA, Path: fresh}},
			"Copia OVA " + fresh + ": 4.0 KiB, de hace 5 h (máximo 1 d)", ""},
		{"a copy older than the smallest RPO", "check.copy", plan.Server{ID: "app", Copy: &plan.Copy{Format: plan.FormatOVA, Path: stale}},
			"", "de hace 1 d 6 h; más antigua que el máximo de 1 d"},
		{"a copy's own max age wins", "check.copy", plan.Server{ID: "app", Copy: &plan.Copy{Format: plan.FormatOVA, Path: stale, MaxAge: plan.Duration(48 * time.Hour)}},
			"(máximo 2 d)", ""},
		{"a missing copy", "check.copy", plan.Server{ID: "db", Copy: &plan.Copy{Format: plan.FormatOVA, Path: filepath.Join(dir, "nada.ova")}}, "", "no existe"},
		{"no copy in the plan", "check.copy", plan.Server{ID: "db"}, "", "no tiene copia OVF/OVA"},
		{"a datastore copy without vSphere", "check.copy", plan.Server{ID: "db", Copy: &plan.Copy{Format: plan.FormatOVA, Datastore: "[LocalDS_0] copias/db.ova"}},
			"", "no hay conexión a vSphere"},
		{"the newest backup of a folder", "check.backup", plan.Server{ID: "db", Backup: &plan.Backup{Kind: plan.BackupStorage, Set: "quipux-diario", Path: backups}},
			"Respaldo quipux-diario " + newest + ": 100 B, de hace 2 h (máximo 1 d)", ""},
		{"a stale backup", "check.backup", plan.Server{ID: "db", Backup: &plan.Backup{Kind: plan.BackupTape, Set: "cinta", Path: filepath.Join(backups, "quipux-lunes.dump")}},
			"", "más antigua que el máximo de 1 d"},
		{"the configuration document", "check.config_doc", plan.Server{ID: "db", ConfigDoc: doc}, "Documento " + doc, ""},
		{"a configuration document behind an URL", "check.config_doc", plan.Server{ID: "db", ConfigDoc: web.URL + "/docs/db.pdf"}, "de hace 2 d", ""},
		{"a missing document behind an URL", "check.config_doc", plan.Server{ID: "db", ConfigDoc: web.URL + "/docs/otro.pdf"}, "", "HTTP 404"},
		{"no configuration document", "check.config_doc", plan.Server{ID: "db"}, "", "no tiene documento de configuración"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg := actions.NewDefaultRegistry(New(Config{Now: clock(now)}))
			srv := tc.server
			res, err := reg.Execute(context.Background(), actions.Request{Kind: tc.kind, Plan: p, Server: &srv})
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}
