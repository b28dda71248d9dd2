package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/contingencia/contingencia"
	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// closedRun finds the run the tour closed in its output.
var closedRun = map[string]*regexp.Regexp{
	"es": regexp.MustCompile(`✅ (CONT-\d{4}-\d{4}) cerrada\.`),
	"en": regexp.MustCompile(`✅ (CONT-\d{4}-\d{4}) closed\.`),
}

// checkTour checks what demo --auto printed and wrote: the run closed,
// every service verified with its tests done, the chain verified, and
// the report naming every service. It returns the run's id.
func checkTour(tb testing.TB, lang, out, dir string) string {
	tb.Helper()
	p, err := plan.Load(contingencia.DefaultPlanName, contingencia.DefaultPlan, actions.Catalog())
	if err != nil {
		tb.Fatal(err)
	}
	m := closedRun[lang].FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("the output does not say the run is closed:\n%s", tail(out))
	}
	runID := m[1]
	verified := tr(lang, "%s: servicio verificado, pruebas hechas (%d/%d", "%s: service verified, tests done (%d/%d")
	report, err := os.ReadFile(filepath.Join(dir, runID+".html"))
	if err != nil {
		tb.Fatalf("the report: %v", err)
	}
	for _, s := range p.Services {
		name := s.Name.In(lang)
		if !strings.Contains(out, "✅ "+tr(lang, verified, verified, name, 2, 2)) {
			tb.Errorf("the output does not show %s verified with its tests done", name)
		}
		if !strings.Contains(string(report), html.EscapeString(name)) && !strings.Contains(string(report), name) {
			tb.Errorf("the report does not name %s", name)
		}
	}
	if !strings.Contains(out, "🔗 verify --run "+runID+": OK: ") {
		tb.Errorf("the chain of %s was not verified:\n%s", runID, tail(out))
	}
	if !strings.Contains(out, tr(lang, "conserva el hash del plan original ("+p.Hash, "keeps the original plan's hash ("+p.Hash)) {
		tb.Errorf("the output does not say the demo's plan keeps the hash %s", p.Hash)
	}
	if strings.Contains(out, "❌") {
		tb.Errorf("something failed:\n%s", tail(out))
	}
	return runID
}

// tail is the end of a long output, for failure messages.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

func TestDemoAuto(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "demo.db")
	code, out, errOut := runCLI(t, "demo", "--auto", "--out", dir, "--database", db)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", code, errOut, tail(out))
	}
	runID := checkTour(t, "es", out, dir)
	if m := regexp.MustCompile(`completa en ([0-9.]+) s`).FindStringSubmatch(out); m == nil {
		t.Error("the output does not give the elapsed time")
	} else {
		t.Logf("demo --auto took %s s", m[1])
	}
	// The store outlives the demo: verify inspects the same run.
	code, vout, verr := runCLI(t, "verify", "--run", runID, "--database", db)
	if code != 0 || !strings.HasPrefix(vout, "OK: ") {
		t.Fatalf("verify --run %s: exit %d, %s%s", runID, code, vout, verr)
	}
}

// TestDemoAutoStoresInPostgres runs the tour in English on PostgreSQL,
// then inspects the run with runs and verify.
func TestDemoAutoStoresInPostgres(t *testing.T) {
	db := pgSchema(t)
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "demo", "--auto", "--lang", "en", "--out", dir, "--database", db)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", code, errOut, tail(out))
	}
	runID := checkTour(t, "en", out, dir)
	code, rout, rerr := runCLI(t, "runs", "--database", db)
	if code != 0 || !strings.Contains(rout, runID) {
		t.Fatalf("runs: exit %d, %s%s", code, rout, rerr)
	}
	code, vout, verr := runCLI(t, "verify", "--run", runID, "--database", db)
	if code != 0 || !strings.HasPrefix(vout, "OK: ") {
		t.Fatalf("verify --run %s: exit %d, %s%s", runID, code, vout, verr)
	}
}

// pgSchema is a PostgreSQL URL whose search_path is a new schema, dropped
// when the test ends.
func pgSchema(tb testing.TB) string {
	tb.Helper()
	url := pgURL(tb)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	schema := "test_demo_" + hex.EncodeToString(b)
	exec := func(q string) error {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, q)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("creating schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if err := exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

func TestDemoRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"an unknown language", []string{"demo", "--auto", "--lang", "fr"}, 2},
		{"a plan that does not exist", []string{"demo", "--auto", "--plan", "/nonexistent/plan.yaml", "--out", "OUT"}, 1},
		{"an argument", []string{"demo", "extra"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "OUT", t.TempDir())
			}
			if code, out, errOut := runCLI(t, args...); code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
		})
	}
}
