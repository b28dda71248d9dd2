package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// export runs Write and returns its output.
func export(tb testing.TB, src Source, p *plan.Plan, f Format, opts Options) ([]byte, Summary) {
	tb.Helper()
	if opts.RunID == "" {
		opts.RunID = testRunID
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	var buf bytes.Buffer
	sum, err := Write(context.Background(), &buf, f, src, p, opts)
	if err != nil {
		tb.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes(), sum
}

func TestSummaryStatesRunFactsAndMilestones(t *testing.T) {
	p, events, src := setup(t)
	_, sum := export(t, src, p, JSON, Options{})

	last := events[len(events)-1]
	if sum.RunID != testRunID || sum.PlanID != "quipux" || sum.PlanHash != p.Hash {
		t.Errorf("facts = %q %q %q, want %q quipux %q", sum.RunID, sum.PlanID, sum.PlanHash, testRunID, p.Hash)
	}
	if sum.Events != int64(len(events)) || sum.Head != last.Hash {
		t.Errorf("events %d head %s, want %d %s", sum.Events, sum.Head, len(events), last.Hash)
	}
	if sum.ChainError != nil || sum.Ended != "closed" || sum.PlanMismatch || sum.PlanMissing {
		t.Errorf("chain %+v ended %q mismatch %t missing %t", sum.ChainError, sum.Ended, sum.PlanMismatch, sum.PlanMissing)
	}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	want := []Milestones{
		{Service: "quipux", Name: "Gestión documental Quipux", Priority: 1, Declared: t0, RestoreStarted: at(30), Restored: at(90), Verified: at(110),
			RTO: 4 * time.Hour, Achieved: 90 * time.Minute, Status: RTOMet, RPOStatus: RTONone},
		{Service: "correo", Name: "Correo electrónico", Priority: 2, Declared: t0, RestoreStarted: at(31), Restored: at(120), Verified: at(130),
			RTO: time.Hour, Achieved: 2 * time.Hour, Status: RTOMissed, RPOStatus: RTONone},
	}
	if len(sum.Services) != len(want) {
		t.Fatalf("services = %+v", sum.Services)
	}
	for i := range want {
		if sum.Services[i] != want[i] {
			t.Errorf("service %d:\n got %+v\nwant %+v", i, sum.Services[i], want[i])
		}
	}
}

// TestRPOAchieved: the data a service got back is as old as the oldest
// source its restore actions used (a copy's date from a confirmed
// preflight, a snapshot's from an approved one); the loss is measured
// from the declaration and held against the plan's RPO.
func TestRPOAchieved(t *testing.T) {
	p := testPlan()
	p.Services[0].RPO = plan.Duration(24 * time.Hour) // quipux
	p.Services[1].RPO = plan.Duration(time.Hour)      // correo
	copyAt := func(h int) map[string]string {
		return map[string]string{"source_at": t0.Add(-time.Duration(h) * time.Hour).Format(time.RFC3339)}
	}
	snapAt := map[string]string{"snapshot_at": t0.Add(-30 * time.Hour).Format(time.RFC3339)}
	steps := []step{
		{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: p.ID, PlanHash: p.Hash, Services: []string{"quipux", "correo"}, DeclaredAt: t0}},
		// db-quipux: approved revert to a snapshot of 30 h before; the
		// queueing after the approval carries no facts.
		{10, admin, plan.EventApprovalRequested, plan.ApprovalRequested{Step: "restaurar-ovf/desplegar@db-quipux", Facts: snapAt}},
		{12, plan.System, plan.EventActionQueued, plan.ActionEvent{Step: "restaurar-ovf/desplegar@db-quipux"}},
		{20, plan.System, plan.EventActionSucceeded, plan.ActionEvent{Step: "restaurar-ovf/desplegar@db-quipux"}},
		// app-quipux: a copy of 6 h before, confirmed.
		{21, admin, plan.EventActionQueued, plan.ActionEvent{Step: "restaurar-ovf/desplegar@app-quipux", Facts: copyAt(6)}},
		{30, plan.System, plan.EventActionSucceeded, plan.ActionEvent{Step: "restaurar-ovf/desplegar@app-quipux"}},
		// mail-01: a first attempt from a 2-hour copy failed; none succeeded.
		{31, admin, plan.EventActionQueued, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01", Facts: copyAt(2)}},
		{40, plan.System, plan.EventActionFailed, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
		// Automatic restore: the dry run made just before acting comes
		// with the result, a copy of 3 h before.
		{50, plan.System, plan.EventActionSucceeded, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01", Facts: copyAt(3)}},
	}
	src := &memSource{runs: map[string][]plan.Event{testRunID: sealRun(t, testRunID, steps)}}
	_, sum := export(t, src, p, JSON, Options{})
	q, c := sum.Services[0], sum.Services[1]
	if q.Service != "quipux" || !q.DataAt.Equal(t0.Add(-30*time.Hour)) || q.DataLoss != 30*time.Hour || q.RPOStatus != RTOMissed {
		t.Errorf("quipux: data at %v, loss %v, %s; want the snapshot's 30 h, missed against 24 h", q.DataAt, q.DataLoss, q.RPOStatus)
	}
	if !c.DataAt.Equal(t0.Add(-3*time.Hour)) || c.DataLoss != 3*time.Hour || c.RPOStatus != RTOMissed {
		t.Errorf("correo: data at %v, loss %v, %s; want the automatic restore's 3 h copy (not the failed attempt's), missed against 1 h", c.DataAt, c.DataLoss, c.RPOStatus)
	}

	md, _ := export(t, src, p, Markdown, Options{})
	for _, want := range []string{"## Datos restaurados (RPO)", "| Gestión documental Quipux (quipux) | 1d | 2026-03-13 02:00:00Z | 1d 6h | incumplido |",
		"| Correo electrónico (correo) | 1h | 2026-03-14 05:00:00Z | 3h | incumplido |"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	html, _ := export(t, src, p, HTML, Options{Lang: "en"})
	if !bytes.Contains(html, []byte("<h2>Data restored (RPO)</h2>")) || !bytes.Contains(html, []byte(`<td class="missed">missed</td>`)) {
		t.Errorf("HTML lacks the RPO table")
	}
	pdf, _ := export(t, src, p, PDF, Options{})
	if text := pdfText(t, pdf); !strings.Contains(text, "Datos restaurados (RPO)") || !strings.Contains(text, "2026-03-14 05:00:00Z") {
		t.Errorf("PDF lacks the RPO table:\n%s", text)
	}
	if out, _ := export(t, &memSource{runs: map[string][]plan.Event{testRunID: sealRun(t, testRunID, testSteps(testPlan()))}}, testPlan(), Markdown, Options{}); bytes.Contains(out, []byte("RPO")) {
		t.Errorf("a run with no RPO target and no data point shows an RPO table")
	}
}

func TestMilestoneStatus(t *testing.T) {
	p := testPlan()
	tests := []struct {
		name   string
		steps  []step
		plan   *plan.Plan
		status RTOStatus
		done   bool
	}{
		{name: "restored service without tests counts once the run is closed", steps: []step{
			{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", PlanHash: p.Hash, Services: []string{"correo"}}},
			{20, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
			{30, leader, plan.EventRunClosed, plan.RunEnded{}},
		}, plan: p, status: RTOMet, done: true},
		{name: "a deploy's success restores a service without tests once the run is closed", steps: []step{
			{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", PlanHash: p.Hash, Services: []string{"correo"}}},
			{10, plan.System, plan.EventActionStarted, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
			{20, plan.System, plan.EventActionSucceeded, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
			{30, leader, plan.EventRunClosed, plan.RunEnded{}},
		}, plan: p, status: RTOMet, done: true},
		{name: "a failed deploy does not restore", steps: []step{
			{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", PlanHash: p.Hash, Services: []string{"correo"}}},
			{10, plan.System, plan.EventActionStarted, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
			{20, plan.System, plan.EventActionFailed, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
			{30, leader, plan.EventRunClosed, plan.RunEnded{}},
		}, plan: p, status: RTOPending},
		{name: "open run past its target is missed", steps: []step{
			{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", PlanHash: p.Hash, Services: []string{"correo"}}},
			{20, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
		}, plan: p, status: RTOMissed},
		{name: "open run within its target is pending", steps: []step{
			{300, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", PlanHash: p.Hash, Services: []string{"quipux"}, DeclaredAt: t0.Add(5 * time.Hour)}},
		}, plan: p, status: RTOPending},
		{name: "no plan means no target", steps: []step{
			{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: "quipux", Services: []string{"quipux"}}},
			{20, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@app-quipux"}},
			{30, leader, plan.EventRunClosed, plan.RunEnded{}},
		}, plan: nil, status: RTONone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &memSource{runs: map[string][]plan.Event{testRunID: sealRun(t, testRunID, tt.steps)}}
			_, sum := export(t, src, tt.plan, JSON, Options{})
			if len(sum.Services) != 1 {
				t.Fatalf("services = %+v", sum.Services)
			}
			m := sum.Services[0]
			if m.Status != tt.status || m.Restored.IsZero() == tt.done {
				t.Errorf("status %s restored %v, want %s restored=%t", m.Status, m.Restored, tt.status, tt.done)
			}
		})
	}
}

// TestMilestonesFromActionEvents: action and check steps end the way the
// engine ends them, with action.succeeded and no step.completed; after a
// failed attempt, the retry's success restores.
func TestMilestonesFromActionEvents(t *testing.T) {
	p := testPlan()
	action := func(min int, typ plan.EventType, key string) step {
		return step{min, plan.System, typ, plan.ActionEvent{Step: key, Attempt: 1}}
	}
	const db, app, mail, test = "restaurar-ovf/desplegar@db-quipux", "restaurar-ovf/desplegar@app-quipux",
		"restaurar-ovf/desplegar@mail-01", "pruebas/funcional@quipux"
	steps := []step{
		{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: p.ID, PlanHash: p.Hash, Services: []string{"quipux", "correo"}, DeclaredAt: t0}},
		action(10, plan.EventActionQueued, db), action(11, plan.EventActionStarted, db), action(40, plan.EventActionSucceeded, db),
		action(41, plan.EventActionQueued, app), action(42, plan.EventActionStarted, app), action(50, plan.EventActionFailed, app),
		{55, admin, plan.EventStepReopened, plan.StepEvent{Step: app}},
		action(56, plan.EventActionQueued, app), action(57, plan.EventActionStarted, app),
		action(60, plan.EventActionQueued, mail), action(61, plan.EventActionStarted, mail), action(70, plan.EventActionSucceeded, mail),
		action(80, plan.EventActionSucceeded, app),
		action(90, plan.EventActionQueued, test), action(91, plan.EventActionStarted, test), action(100, plan.EventActionSucceeded, test),
		{110, leader, plan.EventRunClosed, plan.RunEnded{}},
	}
	src := &memSource{runs: map[string][]plan.Event{testRunID: sealRun(t, testRunID, steps)}}
	_, sum := export(t, src, p, JSON, Options{})
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	want := []Milestones{
		{Service: "quipux", Name: "Gestión documental Quipux", Priority: 1, Declared: t0, RestoreStarted: at(11), Restored: at(80), Verified: at(100),
			RTO: 4 * time.Hour, Achieved: 80 * time.Minute, Status: RTOMet, RPOStatus: RTONone},
		{Service: "correo", Name: "Correo electrónico", Priority: 2, Declared: t0, RestoreStarted: at(61), Restored: at(70),
			RTO: time.Hour, Achieved: 70 * time.Minute, Status: RTOMissed, RPOStatus: RTONone},
	}
	if len(sum.Services) != len(want) {
		t.Fatalf("services = %+v", sum.Services)
	}
	for i := range want {
		if sum.Services[i] != want[i] {
			t.Errorf("service %d:\n got %+v\nwant %+v", i, sum.Services[i], want[i])
		}
	}
}

func TestCSVParsesWithEveryEvent(t *testing.T) {
	p, events, src := setup(t)
	out, sum := export(t, src, p, CSV, Options{})

	r := csv.NewReader(bytes.NewReader(out))
	r.Comment = '#'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parsing the CSV: %v\n%s", err, out)
	}
	if len(records) != len(events)+1 {
		t.Fatalf("%d records, want header + %d", len(records), len(events))
	}
	if strings.Join(records[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header = %v", records[0])
	}
	note := records[8]
	if note[3] != string(plan.EventNoteAdded) || note[4] != "María Núñez" || note[5] != "slack" || note[6] != "U0LEADER" {
		t.Errorf("note row = %v", note)
	}
	// Every row carries what the chain covers: rebuild event 8 and check its hash.
	at, err := time.Parse(plan.TimeFormat, note[2])
	if err != nil {
		t.Fatalf("parsing time %q: %v", note[2], err)
	}
	e := plan.Event{RunID: note[0], Seq: 8, At: at, Actor: plan.Actor{Name: note[4], Platform: note[5], UserID: note[6]},
		Type: plan.EventType(note[3]), Payload: json.RawMessage(note[7]), IdempotencyKey: note[8], PrevHash: note[9]}
	if h, err := plan.ComputeHash(e); err != nil || h != note[10] {
		t.Errorf("row 8 hash = %s (%v), want %s", h, err, note[10])
	}
	for _, want := range []string{"# run: " + testRunID, "# plan_hash: " + p.Hash, "# events: 13", "# head: " + sum.Head, "# chain: ok"} {
		if !bytes.Contains(out, []byte(want+"\n")) {
			t.Errorf("CSV lacks %q", want)
		}
	}
}

func TestJSONLinesVerify(t *testing.T) {
	p, events, src := setup(t)
	out, sum := export(t, src, p, JSON, Options{})

	res, err := VerifyJSONL(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("VerifyJSONL: %v", err)
	}
	if !res.OK() || res.Events != int64(len(events)) || res.Head != sum.Head || res.RunID != testRunID {
		t.Errorf("result = %+v (%s)", res, res)
	}
	if got, want := res.String(), "OK: 13 events, head "+sum.Head; got != want {
		t.Errorf("verdict %q, want %q", got, want)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	var last map[string]map[string]any
	if err := json.Unmarshal(lines[len(lines)-1], &last); err != nil {
		t.Fatalf("summary line: %v", err)
	}
	s := last["summary"]
	if s["plan_hash"] != p.Hash || s["head"] != sum.Head || s["events"] != float64(13) {
		t.Errorf("summary line = %v", s)
	}
	services := s["services"].([]any)
	if q := services[0].(map[string]any); q["rto_target"] != "4h0m0s" || q["rto_achieved"] != "1h30m0s" || q["rto_status"] != "met" {
		t.Errorf("service in the summary line = %v", q)
	}
}

func TestVerifyJSONLNamesTheFirstBadEvent(t *testing.T) {
	p, _, src := setup(t)
	out, _ := export(t, src, p, JSON, Options{})
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	edit := func(f func(ls []string) []string) string {
		return strings.Join(f(append([]string(nil), lines...)), "\n") + "\n"
	}
	tests := []struct {
		name    string
		file    string
		seq     int64
		reason  string
		verdict string
	}{
		{name: "altered payload", file: edit(func(ls []string) []string {
			ls[7] = strings.Replace(ls[7], "réplica", "replica", 1)
			return ls
		}), seq: 8, reason: "altered", verdict: "event 8 (note.added at 2026-03-14T09:35:00.000000Z): content does not match"},
		{name: "altered actor", file: edit(func(ls []string) []string {
			ls[3] = strings.Replace(ls[3], "Juan Pérez", "Juana Pérez", 1)
			return ls
		}), seq: 4, reason: "altered"},
		{name: "deleted event", file: edit(func(ls []string) []string { return append(ls[:5], ls[6:]...) }), seq: 7, reason: "expected seq 6"},
		{name: "swapped events", file: edit(func(ls []string) []string { ls[2], ls[3] = ls[3], ls[2]; return ls }), seq: 4, reason: "expected seq 3"},
		{name: "truncated file", file: edit(func(ls []string) []string { return ls[:10] }), seq: 11, reason: "without its summary line"},
		{name: "events cut before the summary", file: edit(func(ls []string) []string { return append(ls[:10], ls[len(ls)-1]) }), seq: 11, reason: "counts 13 events but the file has 10"},
		{name: "line after the summary", file: edit(func(ls []string) []string { return append(ls, ls[0]) }), seq: 14, reason: "after the summary"},
		{name: "not JSON", file: edit(func(ls []string) []string { ls[1] = "{not json"; return ls }), seq: 2, reason: "not a JSON event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := VerifyJSONL(strings.NewReader(tt.file))
			if err != nil {
				t.Fatalf("VerifyJSONL: %v", err)
			}
			if res.OK() || res.Bad.Seq != tt.seq || !strings.Contains(res.Bad.Reason, tt.reason) {
				t.Fatalf("result %+v bad %+v, want seq %d %q", res, res.Bad, tt.seq, tt.reason)
			}
			if tt.verdict != "" && !strings.HasPrefix(res.String(), tt.verdict) {
				t.Errorf("verdict %q, want prefix %q", res.String(), tt.verdict)
			}
		})
	}
}

func TestVerifyJSONLEmptyFile(t *testing.T) {
	if _, err := VerifyJSONL(strings.NewReader("\n")); !errors.Is(err, ErrNoEvents) {
		t.Errorf("err = %v, want ErrNoEvents", err)
	}
}

func TestVerifyStream(t *testing.T) {
	_, events, src := setup(t)
	res, err := VerifyStream(context.Background(), src, testRunID)
	if err != nil || !res.OK() || res.Events != 13 || res.Head != events[12].Hash {
		t.Fatalf("intact run: %+v, %v", res, err)
	}

	tampered := append([]plan.Event(nil), events...)
	tampered[5].Payload = json.RawMessage(`{"step":"restaurar-ovf/desplegar@app-quipux"}`)
	src.runs["tampered"] = tampered
	res, err = VerifyStream(context.Background(), src, "tampered")
	if err != nil {
		t.Fatalf("VerifyStream: %v", err)
	}
	if res.OK() || res.Bad.Seq != 6 || res.Bad.Type != "step.completed" || res.Events != 5 || res.Head != events[4].Hash {
		t.Errorf("tampered run: %+v %+v", res, res.Bad)
	}

	if _, err := VerifyStream(context.Background(), src, "CONT-0000"); !errors.Is(err, errNoRun) {
		t.Errorf("missing run: err = %v", err)
	}
}

// TestVerifyRunChecksTheRecordedHead: events removed from the end leave a
// chain that verifies; the head the store recorded tells.
func TestVerifyRunChecksTheRecordedHead(t *testing.T) {
	_, events, src := setup(t)
	head := Head{Seq: 13, Hash: events[12].Hash}
	src.runs["truncated"] = events[:10]
	src.runs["emptied"] = nil
	replaced := sealRun(t, testRunID, append(testSteps(testPlan())[:12], step{150, leader, plan.EventRunAborted, plan.RunEnded{}}))
	src.runs["replaced"] = replaced
	tests := []struct {
		name, run string
		head      Head
		bad       *BadEvent // nil: verifies
	}{
		{name: "the whole run", run: testRunID, head: head},
		{name: "events appended since the head was read", run: testRunID, head: Head{Seq: 12, Hash: events[11].Hash}},
		{name: "events removed from the end", run: "truncated", head: head, bad: &BadEvent{Seq: 11,
			Reason: "missing: the timeline ends at event 10 but the run's head is event 13 (hash " + head.Hash + "): events were removed"}},
		{name: "every event removed", run: "emptied", head: head, bad: &BadEvent{Seq: 1,
			Reason: "missing: the timeline ends at event 0 but the run's head is event 13 (hash " + head.Hash + "): events were removed"}},
		{name: "the last event replaced", run: "replaced", head: head, bad: &BadEvent{Seq: 13, Type: "run.aborted", At: replaced[12].At,
			Reason: "its hash is not the run's recorded head hash " + head.Hash + ": events were replaced"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := VerifyRun(context.Background(), src, tt.run, tt.head)
			if err != nil {
				t.Fatalf("VerifyRun: %v", err)
			}
			switch {
			case tt.bad == nil && !res.OK():
				t.Errorf("got %s, want OK", res)
			case tt.bad != nil && (res.Bad == nil || *res.Bad != *tt.bad):
				t.Errorf("got %s, want %+v", res, tt.bad)
			}
		})
	}
	if _, err := VerifyRun(context.Background(), src, "CONT-0000", head); !errors.Is(err, errNoRun) {
		t.Errorf("missing run: err = %v", err)
	}
}

func TestMarkdownStatesFacts(t *testing.T) {
	p, events, src := setup(t)
	out, sum := export(t, src, p, Markdown, Options{})
	md := string(out)
	for _, want := range []string{
		"# Línea de tiempo de la contingencia " + testRunID, p.Hash, sum.Head, "| Número de eventos | 13 |",
		"Gestión documental Quipux (quipux)", "cumplido", "incumplido", "1h 30m", "María Núñez (slack, U0LEADER)",
		"Juan Pérez (mattermost, jperez)", `Administración: la réplica \| está &lt;lista&gt; & señalada`,
		`Desplegar la copia OVF \[db-quipux\]`, "verificada",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	// One table row per event, after the header and its rule.
	rows := 0
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "2026-03-14") && strings.Count(line, " |") == 5 {
			rows++
		}
	}
	if rows != len(events) {
		t.Errorf("%d event rows, want %d", rows, len(events))
	}
}

func TestEnglish(t *testing.T) {
	p, _, src := setup(t)
	out, _ := export(t, src, p, Markdown, Options{Lang: "en"})
	for _, want := range []string{"# Contingency timeline", "| Event count | 13 |", "Quipux document management", "met", "missed", "Deploy the OVF copy"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("English Markdown lacks %q", want)
		}
	}
}

func TestHTMLIsWellFormedWithChart(t *testing.T) {
	p, events, src := setup(t)
	out, sum := export(t, src, p, HTML, Options{})

	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	counts := map[string]int{}
	services := map[string]bool{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("HTML is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
			for _, a := range se.Attr {
				if a.Name.Local == "data-service" {
					services[a.Value] = true
				}
				if (a.Name.Local == "src" || a.Name.Local == "href") && !strings.HasPrefix(a.Value, "#") {
					t.Errorf("external asset %s=%q", a.Name.Local, a.Value)
				}
			}
		}
	}
	if counts["svg"] != 1 || counts["rect"] != 2 || counts["circle"] != 2 {
		t.Errorf("chart elements: %v", counts)
	}
	if !services["quipux"] || !services["correo"] {
		t.Errorf("services in the chart: %v", services)
	}
	// facts rows + service rows + event rows + 2 headers.
	if want := len(newReport(p, Options{Lang: "es"}, &sum).facts()) + 2 + len(events) + 2; counts["tr"] != want {
		t.Errorf("%d table rows, want %d", counts["tr"], want)
	}
	for _, want := range []string{sum.Head, p.Hash, "rgb(46,125,50)", "rgb(198,40,40)", "María Núñez (slack, U0LEADER)", "&lt;lista&gt; &amp; señalada"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// pdfText renders a PDF to text with pdftotext (poppler-utils).
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("pdftotext is missing: install poppler-utils")
		}
		tb.Skip("pdftotext is missing (apt-get install poppler-utils)")
	}
	path := filepath.Join(tb.TempDir(), "run.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", path, "-").CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestPDFRenders(t *testing.T) {
	p, _, src := setup(t)
	out, sum := export(t, src, p, PDF, Options{})
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", out[:min(20, len(out))])
	}
	text := pdfText(t, out)
	for _, want := range []string{testRunID, sum.Head, p.Hash, "Administración", "señalada", "María Núñez", "Gestión documental Quipux", "incumplido", "Número de eventos"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}

func TestPDFCapsItsEventTable(t *testing.T) {
	p, _, src := setup(t)
	out, sum := export(t, src, p, PDF, Options{MaxPDFEvents: 3})
	text := pdfText(t, out)
	if !strings.Contains(text, "primeros 3 de 13 eventos") || !strings.Contains(text, sum.Head) {
		t.Errorf("capped PDF text:\n%s", text)
	}
	if strings.Contains(text, "run.closed") {
		t.Errorf("capped PDF lists event 13")
	}
}

func TestTamperedRunIsExportedAndFlagged(t *testing.T) {
	p, events, _ := setup(t)
	tampered := append([]plan.Event(nil), events...)
	tampered[7].Payload = json.RawMessage(`{"text":"nada que ver"}`)
	src := &memSource{runs: map[string][]plan.Event{testRunID: tampered}}
	for _, f := range []Format{CSV, JSON, Markdown, HTML} {
		t.Run(string(f), func(t *testing.T) {
			out, sum := export(t, src, p, f, Options{})
			if sum.ChainError == nil || sum.ChainError.Seq != 8 {
				t.Fatalf("chain error = %+v", sum.ChainError)
			}
			want := map[Format]string{CSV: "# chain: broken at event 8", JSON: `"chain_error":{"seq":8`, Markdown: "**NO VERIFICA: evento 8", HTML: `class="alert">NO VERIFICA: evento 8`}[f]
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("export lacks %q", want)
			}
		})
	}
}

func TestTwoPassExportIgnoresEventsAppendedMeanwhile(t *testing.T) {
	p, events, src := setup(t)
	extra := sealRun(t, testRunID, append(testSteps(p), step{150, leader, plan.EventNoteAdded, plan.NoteAdded{Text: "tarde"}}))
	src.after = func(m *memSource) {
		if m.passes == 1 {
			m.runs[testRunID] = extra
		}
	}
	out, sum := export(t, src, p, Markdown, Options{})
	if sum.Events != int64(len(events)) || bytes.Contains(out, []byte("tarde")) {
		t.Errorf("export of %d events includes the late one: %t", sum.Events, bytes.Contains(out, []byte("tarde")))
	}
}

func TestWriteErrors(t *testing.T) {
	p, _, src := setup(t)
	empty := &memSource{runs: map[string][]plan.Event{"CONT-2026-0001": nil}}
	tests := []struct {
		name   string
		src    Source
		format Format
		runID  string
		want   error
	}{
		{name: "empty run", src: empty, format: Markdown, runID: "CONT-2026-0001", want: ErrNoEvents},
		{name: "empty run in one pass", src: empty, format: CSV, runID: "CONT-2026-0001", want: ErrNoEvents},
		{name: "unknown run", src: src, format: JSON, runID: "CONT-1999-0001", want: errNoRun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Write(context.Background(), io.Discard, tt.format, tt.src, p, Options{RunID: tt.runID})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Write(context.Background(), io.Discard, "xls", src, p, Options{RunID: testRunID}); err == nil {
		t.Error("unknown format: no error")
	}
	if _, err := Write(context.Background(), io.Discard, CSV, src, p, Options{}); err == nil {
		t.Error("no run id: no error")
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"csv": CSV, "JSON": JSON, "jsonl": JSON, "md": Markdown, "markdown": Markdown, "html": HTML, " pdf ": PDF} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xlsx"); err == nil {
		t.Error("ParseFormat(xlsx): no error")
	}
}

func TestPlanMismatchIsStated(t *testing.T) {
	p, _, src := setup(t)
	other := *p
	other.Hash = strings.Repeat("ab", 32)
	out, sum := export(t, src, &other, Markdown, Options{})
	if !sum.PlanMismatch || !bytes.Contains(out, []byte("no es la versión")) {
		t.Errorf("mismatch %t:\n%s", sum.PlanMismatch, out)
	}
	out, sum = export(t, src, nil, Markdown, Options{})
	if !sum.PlanMissing || !bytes.Contains(out, []byte("Sin archivo del plan")) {
		t.Errorf("missing %t", sum.PlanMissing)
	}
}

func TestFmtDur(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 90 * time.Minute: "1h 30m", 26*time.Hour + 5*time.Second: "1d 2h 5s", -time.Minute: "-1m"} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	_, events, _ := setup(t)
	odd := events[7]
	odd.Actor.Name = "tab\there \"quoted\" back\\slash \x01 \u2028 bad:\xff ñ <&>"
	odd.IdempotencyKey = ""
	odd.Payload = json.RawMessage("{\n  \"text\": \"a\"\n}")
	empty := events[0]
	empty.Payload = nil
	for i, e := range append(events, odd, empty) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		ref := e
		ref.At = e.At.UTC()
		if len(ref.Payload) == 0 {
			ref.Payload = json.RawMessage("{}")
		}
		if err := enc.Encode(ref); err != nil {
			t.Fatal(err)
		}
		got := appendEvent(nil, e)
		var a, b plan.Event
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("event %d: %v\n%s", i, err, got)
		}
		if err := json.Unmarshal(want.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		ha, _ := plan.ComputeHash(a)
		hb, _ := plan.ComputeHash(b)
		if ha != hb || a.Actor != b.Actor || !a.At.Equal(b.At) || string(a.Payload) != string(b.Payload) || a.IdempotencyKey != b.IdempotencyKey {
			t.Errorf("event %d:\n got %s\nwant %s", i, got, want.Bytes())
		}
	}
}

func TestPDFMarksGlyphsItCannotDraw(t *testing.T) {
	p := testPlan()
	steps := append(testSteps(p)[:1], step{1, leader, plan.EventNoteAdded, plan.NoteAdded{Text: "listo 👍 漢字 fin"}})
	src := &memSource{runs: map[string][]plan.Event{testRunID: sealRun(t, testRunID, steps)}}
	out, _ := export(t, src, p, PDF, Options{})
	if text := pdfText(t, out); !strings.Contains(text, "listo ? ?? fin") {
		t.Errorf("PDF text:\n%s", text)
	}
}
