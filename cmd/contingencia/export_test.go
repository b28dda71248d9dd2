package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"github.com/contingencia/contingencia/storage/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

// TestMain checks that no test of the package leaves a goroutine behind
// (the stores start pools and listeners).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// timelineFixture is a store holding runs, and the plan they were
// declared with.
type timelineFixture struct {
	db       string // --database value
	planFile string
	plan     *plan.Plan
	// tamper changes the actor of one event row behind the store's back,
	// with the append-only trigger out of the way.
	tamper func(tb testing.TB, runID string, seq int)
}

// setupTimeline is setupTimelineOn the embedded store, in a fresh file.
func setupTimeline(tb testing.TB) timelineFixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "contingencia.db")
	fx := setupTimelineOn(tb, "sqlite:"+path, stores.Config{})
	fx.tamper = func(tb testing.TB, runID string, seq int) {
		tb.Helper()
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			tb.Fatal(err)
		}
		defer db.Close()
		tamperRows(tb, func(q string, args ...any) error { _, err := db.Exec(q, args...); return err },
			"DROP TRIGGER events_no_update", runID, seq)
	}
	return fx
}

// tamperRows disables the guard with disable, then rewrites one event's
// actor name.
func tamperRows(tb testing.TB, exec func(q string, args ...any) error, disable, runID string, seq int) {
	tb.Helper()
	if err := exec(disable); err != nil {
		tb.Fatalf("%s: %v", disable, err)
	}
	if err := exec("UPDATE events SET actor_name = 'Otra Persona' WHERE run_id = $1 AND seq = $2", runID, seq); err != nil {
		tb.Fatalf("tampering with event %d: %v", seq, err)
	}
}

// setupTimelineOn writes the mini plan and appends two runs to the store
// at url: CONT-2026-0001 (closed) and the drill CONT-2026-0002 (restoring).
func setupTimelineOn(tb testing.TB, url string, cfg stores.Config) timelineFixture {
	tb.Helper()
	planFile := writePlan(tb, "mini.yaml", cliPlan)
	p, err := plan.LoadFile(planFile, nil)
	if err != nil {
		tb.Fatalf("loading the plan: %v", err)
	}
	ctx := context.Background()
	st, err := stores.Open(ctx, url, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)
	ana := plan.Actor{Platform: "slack", UserID: "U0ANA", Name: "Ana Muñoz"}
	bruno := plan.Actor{Platform: "mattermost", UserID: "bruno", Name: "Bruno Ibáñez"}
	ev := func(min int, a plan.Actor, typ plan.EventType, payload any) plan.Event {
		b, err := json.Marshal(payload)
		if err != nil {
			tb.Fatal(err)
		}
		return plan.Event{At: t0.Add(time.Duration(min) * time.Minute), Actor: a, Type: typ, Payload: b}
	}
	runs := []struct {
		id     string
		drill  bool
		state  string
		events []plan.Event
	}{
		{id: "CONT-2026-0001", state: "closed", events: []plan.Event{
			ev(0, ana, plan.EventRunDeclared, plan.RunDeclared{PlanID: p.ID, PlanHash: p.Hash, Services: []string{"web", "mail"}, Strategy: plan.StrategyOVF, DeclaredAt: t0}),
			ev(10, bruno, plan.EventStepStarted, plan.StepEvent{Step: "restore/deploy@web-01"}),
			ev(50, bruno, plan.EventStepCompleted, plan.StepEvent{Step: "restore/deploy@web-01"}),
			ev(55, ana, plan.EventNoteAdded, plan.NoteAdded{Text: "Administración: el portal responde; señal verificada"}),
			ev(60, ana, plan.EventRunClosed, plan.RunEnded{}),
		}},
		{id: "CONT-2026-0002", drill: true, state: "restoring", events: []plan.Event{
			ev(100, ana, plan.EventRunDeclared, plan.RunDeclared{PlanID: p.ID, PlanHash: p.Hash, Services: []string{"mail"}, Drill: true, DeclaredAt: t0.Add(100 * time.Minute)}),
			ev(110, bruno, plan.EventStepStarted, plan.StepEvent{Step: "restore/deploy@mail-01"}),
		}},
	}
	for _, r := range runs {
		_, err := st.Append(ctx, storage.AppendRequest{RunID: r.id, Events: r.events,
			Meta: storage.RunMeta{PlanID: p.ID, PlanHash: p.Hash, State: r.state, Drill: r.drill}})
		if err != nil {
			tb.Fatalf("appending %s: %v", r.id, err)
		}
	}
	return timelineFixture{db: url, planFile: planFile, plan: p}
}

// pgURL is the test database (storetest.PostgresURL: fails when
// CI=true and it is unreachable, skips otherwise).
func pgURL(tb testing.TB) string {
	tb.Helper()
	return storetest.PostgresURL(tb)
}

// setupPostgresTimeline is setupTimelineOn a PostgreSQL schema of its own,
// dropped when the test ends; the CLI reaches it through search_path.
func setupPostgresTimeline(tb testing.TB) timelineFixture {
	tb.Helper()
	url := pgURL(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_cli_" + hex.EncodeToString(b)
	exec := func(q string, args ...any) error {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "SET search_path TO "+schema)
		if err == nil {
			_, err = conn.Exec(ctx, q, args...)
		}
		return err
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
	fx := setupTimelineOn(tb, url, stores.Config{Schema: schema})
	fx.db = url + sep + "search_path=" + schema
	fx.tamper = func(tb testing.TB, runID string, seq int) {
		tb.Helper()
		tamperRows(tb, exec, "ALTER TABLE events DISABLE TRIGGER USER", runID, seq)
	}
	return fx
}

func TestExportFormats(t *testing.T) {
	fx := setupTimeline(t)
	tests := []struct {
		format string
		want   []string
	}{
		{format: "csv", want: []string{"# run: CONT-2026-0001", "# plan_hash: " + fx.plan.Hash, "# events: 5", "run_id,seq,at,type"}},
		{format: "json", want: []string{`"run_id":"CONT-2026-0001","seq":1`, `{"summary":{"run_id":"CONT-2026-0001"`}},
		{format: "md", want: []string{"# Línea de tiempo de la contingencia CONT-2026-0001", fx.plan.Hash, "| Número de eventos | 5 |", "Portal (web)", "Bruno Ibáñez (mattermost, bruno)"}},
		{format: "html", want: []string{"<svg", `data-service="web"`, `data-service="mail"`, "Administración: el portal responde"}},
		{format: "pdf", want: []string{"%PDF-"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "export", "--run", "CONT-2026-0001", "--format", tt.format, "--database", fx.db, "--plan", fx.planFile)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("%s export lacks %q", tt.format, w)
				}
			}
		})
	}
}

func TestExportToFileThenVerify(t *testing.T) {
	fx := setupTimeline(t)
	out := filepath.Join(t.TempDir(), "CONT-2026-0001.jsonl")
	code, stdout, stderr := runCLI(t, "export", "--run", "CONT-2026-0001", "-o", out, "--database", fx.db, "--lang", "en")
	if code != 0 || stdout != "" {
		t.Fatalf("export: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "CONT-2026-0001, 5 events, head ") {
		t.Errorf("export stderr = %q", stderr)
	}

	code, verdict, stderr := runCLI(t, "verify", "--file", out)
	if code != 0 || !strings.HasPrefix(verdict, "OK: 5 events, head ") {
		t.Fatalf("verify --file: exit %d, %q %s", code, verdict, stderr)
	}
	code, fromStore, stderr := runCLI(t, "verify", "--run", "CONT-2026-0001", "--database", fx.db)
	if code != 0 || fromStore != verdict {
		t.Errorf("verify --run: exit %d, %q (file said %q) %s", code, fromStore, verdict, stderr)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(data, []byte("señal verificada"), []byte("señal no verificada"), 1)
	if bytes.Equal(tampered, data) {
		t.Fatal("the note is not in the export")
	}
	if err := os.WriteFile(out, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "verify", "--file", out)
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "contingencia: event 4 (note.added at 2026-02-03T09:55:00.000000Z): content does not match") {
		t.Errorf("tampered file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 1 {
		t.Errorf("the reason takes %d lines, want 1", n)
	}
}

func TestVerifyCatchesATamperedStore(t *testing.T) {
	for name, setup := range map[string]func(testing.TB) timelineFixture{
		"sqlite": setupTimeline, "postgres": setupPostgresTimeline,
	} {
		t.Run(name, func(t *testing.T) {
			fx := setup(t)
			code, stdout, stderr := runCLI(t, "verify", "--run", "CONT-2026-0001", "--database", fx.db)
			if code != 0 || !strings.HasPrefix(stdout, "OK: 5 events, head ") {
				t.Fatalf("intact run: exit %d, %q %q", code, stdout, stderr)
			}
			fx.tamper(t, "CONT-2026-0001", 3)
			code, stdout, stderr = runCLI(t, "verify", "--run", "CONT-2026-0001", "--database", fx.db)
			if code != 1 || stdout != "" || !strings.Contains(stderr, "event 3 (step.completed at 2026-02-03T09:50:00.000000Z): content does not match its hash") {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			// The export still writes the tampered run, says so, and exits 1.
			code, stdout, stderr = runCLI(t, "export", "--run", "CONT-2026-0001", "--format", "md", "--database", fx.db)
			if code != 1 || !strings.Contains(stdout, "NO VERIFICA: evento 3") || !strings.Contains(stderr, "does not verify: event 3") {
				t.Errorf("export of a tampered run: exit %d, stderr %q", code, stderr)
			}
			// The other run is untouched.
			if code, _, stderr := runCLI(t, "verify", "--run", "CONT-2026-0002", "--database", fx.db); code != 0 {
				t.Errorf("other run: exit %d, %s", code, stderr)
			}
		})
	}
}

func TestRunsOnPostgres(t *testing.T) {
	fx := setupPostgresTimeline(t)
	code, stdout, stderr := runCLI(t, "runs", "--database", fx.db, "--json", "--drill")
	var runs []runJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &runs) != nil || len(runs) != 1 || runs[0].RunID != "CONT-2026-0002" {
		t.Errorf("exit %d, %q %s", code, stdout, stderr)
	}
}

func TestExportAndVerifyFailures(t *testing.T) {
	fx := setupTimeline(t)
	missing := filepath.Join(t.TempDir(), "none.jsonl")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "export without run", args: []string{"export", "--format", "csv", "--database", fx.db}, code: 2, want: `"run" not set`},
		{name: "export without format", args: []string{"export", "--run", "CONT-2026-0001", "--database", fx.db}, code: 2, want: "--format is required"},
		{name: "export to an unknown format", args: []string{"export", "--run", "CONT-2026-0001", "--format", "xls", "--database", fx.db}, code: 2, want: "unknown export format"},
		{name: "export of an unknown run", args: []string{"export", "--run", "CONT-1999-0001", "--format", "csv", "--database", fx.db}, code: 1, want: "run CONT-1999-0001 not found"},
		{name: "export with a bad language", args: []string{"export", "--run", "CONT-2026-0001", "--format", "md", "--lang", "fr", "--database", fx.db}, code: 2, want: "--lang"},
		{name: "export to an unwritable place", args: []string{"export", "--run", "CONT-2026-0001", "-o", filepath.Join(missing, "x.csv"), "--database", fx.db}, code: 1, want: "creating"},
		{name: "verify needs run or file", args: []string{"verify"}, code: 2, want: "run file"},
		{name: "verify takes run or file", args: []string{"verify", "--run", "X", "--file", "y"}, code: 2, want: "none of the others"},
		{name: "verify of a missing file", args: []string{"verify", "--file", missing}, code: 1, want: "opening the export"},
		{name: "verify of an unknown run", args: []string{"verify", "--run", "CONT-1999-0001", "--database", fx.db}, code: 1, want: "run CONT-1999-0001 not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(missing), "x.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file behind: %v", err)
	}
}

func TestExportLeavesNoPartialFile(t *testing.T) {
	fx := setupTimeline(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "run.csv")
	code, _, _ := runCLI(t, "export", "--run", "CONT-1999-0001", "-o", out, "--database", fx.db)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if code != 1 || len(entries) != 0 {
		t.Errorf("exit %d, files left: %v", code, entries)
	}
}

func TestRuns(t *testing.T) {
	fx := setupTimeline(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "all runs, newest first", args: nil, want: []string{"CONT-2026-0002", "CONT-2026-0001"}},
		{name: "drills only", args: []string{"--drill"}, want: []string{"CONT-2026-0002"}},
		{name: "real contingencies only", args: []string{"--drill=false"}, want: []string{"CONT-2026-0001"}},
		{name: "by state", args: []string{"--state", "closed"}, want: []string{"CONT-2026-0001"}},
		{name: "no match", args: []string{"--state", "aborted"}, want: []string{}},
		{name: "declared since a time", args: []string{"--since", "2026-02-03T10:00:00Z"}, want: []string{"CONT-2026-0002"}},
		{name: "declared before a time", args: []string{"--until", "2026-02-03T10:00:00Z"}, want: []string{"CONT-2026-0001"}},
		{name: "declared on a day", args: []string{"--since", "2026-02-03", "--until", "2026-02-04"}, want: []string{"CONT-2026-0002", "CONT-2026-0001"}},
		{name: "declared the day before", args: []string{"--until", "2026-02-03"}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"runs", "--json", "--database", fx.db}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var runs []runJSON
			if err := json.Unmarshal([]byte(stdout), &runs); err != nil {
				t.Fatalf("runs --json: %v\n%s", err, stdout)
			}
			got := []string{}
			for _, r := range runs {
				got = append(got, r.RunID)
				if r.PlanHash != fx.plan.Hash || r.Events == 0 || len(r.HeadHash) != 64 {
					t.Errorf("run %+v", r)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("runs = %v, want %v", got, tt.want)
			}
		})
	}

	if code, _, stderr := runCLI(t, "runs", "--database", fx.db, "--since", "ayer"); code != 2 || !strings.Contains(stderr, `--since "ayer": use a date`) {
		t.Errorf("runs --since ayer: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "runs", "--database", fx.db)
	if code != 0 {
		t.Fatalf("runs: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "RUN ") || !strings.HasPrefix(lines[1], "CONT-2026-0002  restoring  yes") ||
		!strings.Contains(lines[2], " closed ") || !strings.Contains(lines[2], " 5 ") {
		t.Errorf("runs table:\n%s", stdout)
	}
}
