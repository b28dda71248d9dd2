package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// surface is a recording bot.Surface: the bot core is tested against it;
// each platform adapter is tested against its real peer.
type surface struct {
	mu       sync.Mutex
	channels []bot.ChannelSpec
	posts    map[string]bot.Part // ref → last content
	pinned   []string
	next     int
	failOnce error // returned by the next Update
	gone     map[string]bool
}

func newSurface() *surface { return &surface{posts: map[string]bot.Part{}, gone: map[string]bool{}} }

func (s *surface) Platform() string { return "slack" }

func (s *surface) CreateChannel(_ context.Context, spec bot.ChannelSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, spec)
	return "C" + strings.ToUpper(strings.ReplaceAll(spec.Name, "-", "")), nil
}

func (s *surface) Post(_ context.Context, channel string, p bot.Part, _ string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	ref := fmt.Sprintf("%s/%d", channel, s.next)
	s.posts[ref] = p
	return ref, nil
}

func (s *surface) Update(_ context.Context, _, ref string, p bot.Part, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failOnce; err != nil {
		s.failOnce = nil
		return err
	}
	if s.gone[ref] {
		return bot.ErrMessageGone
	}
	s.posts[ref] = p
	return nil
}

func (s *surface) Pin(_ context.Context, _, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pinned = append(s.pinned, ref)
	return nil
}

// part returns the latest content of the part with key.
func (s *surface) part(tb testing.TB, r *plan.Run, key string) bot.Part {
	tb.Helper()
	m, ok := r.Messages["slack/"+key]
	if !ok {
		tb.Fatalf("part %s was never posted", key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts[m.Ref]
}

type fixture struct {
	bot   *bot.Bot
	store *sqlite.Store
	surf  *surface
	plan  *plan.Plan
	now   time.Time
	mu    sync.Mutex
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Second)
	return f.now
}

func setup(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	p, err := plan.LoadFile("../testdata/plans/small.yaml", nil)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(tb.TempDir(), "bot.db")})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{store: st, surf: newSurface(), plan: p, now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
	b, err := bot.New(bot.Config{Plan: p, Store: st, Now: f.clock})
	if err != nil {
		tb.Fatal(err)
	}
	b.Register(f.surf)
	runCtx, cancel := context.WithCancel(ctx)
	if err := b.Start(runCtx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		b.Stop()
		st.Close()
	})
	f.bot = b
	return f
}

var (
	ana   = bot.Origin{Platform: "slack", UserID: "U0SM00001", UserName: "Ana Líder", ChannelID: "CGENERAL"}
	beto  = bot.Origin{Platform: "slack", UserID: "U0SM00002", UserName: "Beto Suplente", ChannelID: "CGENERAL"}
	carla = bot.Origin{Platform: "slack", UserID: "U0SM00003", UserName: "Carla Datos", ChannelID: "CGENERAL"}
	diego = bot.Origin{Platform: "slack", UserID: "U0SM00004", UserName: "Diego Sistemas", ChannelID: "CGENERAL"}
)

func (f *fixture) activate(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	rep, err := f.bot.Command(ctx, ana, "activar portal api")
	if err != nil || rep.Form == nil {
		tb.Fatalf("activar: %+v %v", rep, err)
	}
	if got := rep.Form.Selected; fmt.Sprint(got) != "[portal api]" {
		tb.Fatalf("form preselects %v", got)
	}
	o := ana
	o.Delivery = "trigger-1"
	rep, err = f.bot.Activate(ctx, o, bot.Activation{Services: rep.Form.Selected, Strategy: plan.StrategyOVF, Assessment: "incendio"})
	if err != nil || rep.RunID == "" {
		tb.Fatalf("activate: %+v %v", rep, err)
	}
	return rep.RunID
}

// click presses the button of kind on the row with key, as rendered now.
func (f *fixture) click(tb testing.TB, o bot.Origin, runID, key string, kind bot.ButtonKind, reason string) bot.Reply {
	tb.Helper()
	ctx := context.Background()
	if err := f.bot.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		tb.Fatal(err)
	}
	v := bot.Render(r, "es", f.now, 0)
	for _, p := range v.Parts {
		for _, b := range p.Buttons {
			if b.Value.Step == key && b.Value.Kind == kind {
				return f.press(tb, o, b.Value, reason)
			}
		}
		for _, row := range p.Rows {
			if row.Key != key {
				continue
			}
			for _, b := range row.Buttons {
				if b.Value.Kind == kind {
					return f.press(tb, o, b.Value, reason)
				}
			}
		}
	}
	tb.Fatalf("no %s button on %s", kind, key)
	return bot.Reply{}
}

func (f *fixture) press(tb testing.TB, o bot.Origin, v bot.ButtonValue, reason string) bot.Reply {
	tb.Helper()
	rep, err := f.bot.Click(context.Background(), o, v.String(), reason)
	if err != nil {
		tb.Fatalf("click %s: %v", v, err)
	}
	return rep
}

func mustOK(tb testing.TB, rep bot.Reply) {
	tb.Helper()
	if rep.Refused {
		tb.Fatalf("refused: %s", rep.Text)
	}
}

func (f *fixture) finish(tb testing.TB, runID, key string, ok bool) {
	tb.Helper()
	c := plan.ActionFinished{Step: key, OK: ok, Message: "listo"}
	if !ok {
		c.Error = "falló"
	}
	if err := f.bot.Record(context.Background(), runID, c, "job:"+key); err != nil {
		tb.Fatal(err)
	}
}

func TestFullRunThroughTheCore(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	if runID != "CONT-2026-0001" {
		t.Fatalf("run id %s", runID)
	}

	mustOK(t, f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonDone, ""))
	mustOK(t, f.click(t, ana, runID, "evaluacion/activar", bot.ButtonDone, ""))
	mustOK(t, f.click(t, beto, runID, "evaluacion/activar", bot.ButtonApprove, ""))
	mustOK(t, f.click(t, ana, runID, "restaurar/prioridades", bot.ButtonPriorities, ""))
	for _, srv := range []string{"db", "app", "web"} {
		key := "restaurar/desplegar@" + srv
		mustOK(t, f.click(t, diego, runID, key, bot.ButtonRun, ""))
		mustOK(t, f.click(t, ana, runID, key, bot.ButtonApprove, ""))
		f.finish(t, runID, key, true)
		mustOK(t, f.click(t, diego, runID, "restaurar/verificar-configuracion@"+srv, bot.ButtonRun, ""))
		f.finish(t, runID, "restaurar/verificar-configuracion@"+srv, true)
	}
	mustOK(t, f.click(t, carla, runID, "restaurar/verificar-bd@db", bot.ButtonSkip, ""))
	mustOK(t, f.click(t, diego, runID, "pruebas/portal-responde", bot.ButtonRun, ""))
	f.finish(t, runID, "pruebas/portal-responde", true)
	mustOK(t, f.click(t, ana, runID, "pruebas/cerrar", bot.ButtonDone, ""))

	rep, err := f.bot.Command(ctx, ana, "cerrar")
	if err != nil || len(rep.Buttons) != 1 {
		t.Fatalf("cerrar: %+v %v", rep, err)
	}
	mustOK(t, f.press(t, ana, rep.Buttons[0].Value, ""))
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State() != plan.StateClosed {
		t.Fatalf("state %s", r.State())
	}
	// The channel was created once, with the plan's people, and the header pinned.
	if len(f.surf.channels) != 1 || f.surf.channels[0].Name != "cont-2026-0001" || len(f.surf.channels[0].Members) != 4 {
		t.Fatalf("channels %+v", f.surf.channels)
	}
	header := f.surf.part(t, r, "header")
	if !strings.Contains(header.Text, "cerrada") || len(f.surf.pinned) != 1 {
		t.Fatalf("header %q, pinned %v", header.Text, f.surf.pinned)
	}
	// The timeline verifies, in the store.
	v := plan.NewVerifier()
	if err := f.store.Stream(ctx, runID, func(e plan.Event) error { return v.Add(e) }); err != nil {
		t.Fatal(err)
	}
	runs, err := f.store.ListRuns(ctx, storage.RunFilter{})
	if err != nil || len(runs) != 1 || runs[0].State != "closed" {
		t.Fatalf("runs %+v %v", runs, err)
	}
}

func TestRefusalsAreEphemeralAndRecorded(t *testing.T) {
	f := setup(t)
	ctx := context.Background()

	rep, err := f.bot.Command(ctx, diego, "activar portal")
	if err != nil || !rep.Refused || !strings.Contains(rep.Text, "Solo un líder") {
		t.Fatalf("a non-leader activating: %+v %v", rep, err)
	}
	runID := f.activate(t)
	rep = f.click(t, carla, runID, "evaluacion/evaluar", bot.ButtonDone, "")
	if !rep.Refused || !strings.Contains(rep.Text, "Administrador del Sistema") {
		t.Fatalf("a click without the role: %+v", rep)
	}
	mustOK(t, f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonDone, ""))
	mustOK(t, f.click(t, ana, runID, "evaluacion/activar", bot.ButtonDone, ""))
	rep = f.click(t, ana, runID, "evaluacion/activar", bot.ButtonApprove, "")
	if !rep.Refused || !strings.Contains(rep.Text, "Usted solicitó") {
		t.Fatalf("approval by the requester: %+v", rep)
	}
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Refusals != 2 {
		t.Fatalf("%d refusals recorded, want 2", r.Refusals)
	}
}

func TestDoubleClicksAndRetriedDeliveries(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	// The same activation delivered again (a platform retry) creates nothing.
	o := ana
	o.Delivery = "trigger-1"
	rep, err := f.bot.Activate(ctx, o, bot.Activation{Services: []string{"portal"}, Strategy: plan.StrategyOVF})
	if err != nil || rep.RunID != runID {
		t.Fatalf("retried activation: %+v %v", rep, err)
	}
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	r := before
	v := bot.Render(r, "es", f.now, 0)
	var done bot.ButtonValue
	for _, p := range v.Parts {
		for _, row := range p.Rows {
			for _, b := range row.Buttons {
				if row.Key == "evaluacion/evaluar" && b.Value.Kind == bot.ButtonDone {
					done = b.Value
				}
			}
		}
	}
	mustOK(t, f.press(t, diego, done, ""))
	mustOK(t, f.press(t, diego, done, "")) // double click: one delivery
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	var stored []plan.EventType
	if err := f.store.Stream(ctx, runID, func(e plan.Event) error {
		if e.Seq > before.Seq && e.Type != plan.EventMessagePosted {
			stored = append(stored, e.Type)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(stored) != "[step.completed]" || after.Items[0].Status != plan.StatusDone {
		t.Fatalf("a double click stored %v, want one step.completed", stored)
	}
	runs, _ := f.store.ListRuns(ctx, storage.RunFilter{})
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
}

func TestUpdatesCatchUpAfterErrorsAndDeletions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r, _ := f.bot.Load(ctx, runID)
	f.surf.mu.Lock()
	f.surf.failOnce = &bot.RateLimitError{RetryAfter: 10 * time.Millisecond}
	f.surf.gone[r.Messages["slack/assessing"].Ref] = true
	f.surf.mu.Unlock()

	mustOK(t, f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonStart, ""))
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r, _ = f.bot.Load(ctx, runID)
	part := f.surf.part(t, r, "assessing")
	if !strings.Contains(part.Rows[0].Status, "en curso") {
		t.Fatalf("the checklist did not catch up: %+v", part.Rows[0])
	}
	if r.Messages["slack/assessing"].Ref == "" || f.surf.gone[r.Messages["slack/assessing"].Ref] {
		t.Fatal("the deleted message was not posted again")
	}
}

func TestTwoRunsInOneChannelStayApart(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	first := f.activate(t)
	o := ana
	o.Delivery = "trigger-2"
	rep, err := f.bot.Activate(ctx, o, bot.Activation{Services: []string{"api"}, Strategy: plan.StrategyOVF, Drill: true})
	if err != nil || rep.RunID == first {
		t.Fatalf("second run: %+v %v", rep, err)
	}
	second := rep.RunID
	rep, err = f.bot.Command(ctx, ana, "estado")
	if err != nil || !rep.Refused || !strings.Contains(rep.Text, "varias") {
		t.Fatalf("estado with two runs: %+v %v", rep, err)
	}
	rep, err = f.bot.Command(ctx, ana, "nota "+first+" enlace con CNT caído")
	if err != nil || rep.Refused {
		t.Fatalf("note on a named run: %+v %v", rep, err)
	}
	a, _ := f.bot.Load(ctx, first)
	b, _ := f.bot.Load(ctx, second)
	if len(a.Notes) != 1 || len(b.Notes) != 0 || !b.Declared.Drill {
		t.Fatalf("notes %v / %v", a.Notes, b.Notes)
	}
	rep, err = f.bot.Command(ctx, ana, "estado "+first)
	if err != nil || !strings.Contains(rep.Text, first) || !strings.Contains(rep.Text, "Portal ciudadano") {
		t.Fatalf("estado: %+v %v", rep, err)
	}
}

func TestStoreErrorsAreNotAcknowledged(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f.store.Close()
	_, err := f.bot.Command(ctx, ana, "nota "+runID+" sin base de datos")
	if err == nil {
		t.Fatal("a note was acknowledged with the store closed")
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestLogLinesAboutARunNameTheRunAndTheUser(t *testing.T) {
	ctx := context.Background()
	p, err := plan.LoadFile("../testdata/plans/small.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "log.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var buf syncBuffer
	b, err := bot.New(bot.Config{Plan: p, Store: st, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.Activate(ctx, ana, bot.Activation{Services: []string{"portal"}, Strategy: plan.StrategyOVF})
	if err != nil || rep.Refused {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := b.Command(ctx, carla, "nota "+rep.RunID+" voy en camino"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log lines:\n%s", buf.String())
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["run"] != rep.RunID || rec["user"] == "" || rec["user"] == nil {
			t.Fatalf("a line without run or user: %s", l)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConcurrentCommandsOnOneRunShareCommits sends many notes and clicks
// at once: every one is stored exactly once, in a chain that verifies,
// whether it went in a shared commit or on its own.
func TestConcurrentCommandsOnOneRunShareCommits(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := carla
			o.Delivery = fmt.Sprintf("note-%d", i%(n-5)) // five retried deliveries
			if _, err := f.bot.Command(ctx, o, fmt.Sprintf("nota %s número %d", runID, i%(n-5))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		v := bot.ButtonValue{RunID: runID, Kind: bot.ButtonStart, Step: "evaluacion/evaluar", Seq: 1}
		if rep, err := f.bot.Click(ctx, diego, v.String(), ""); err != nil || rep.Refused {
			errs <- fmt.Errorf("click: %+v %v", rep, err)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != n-5 || r.Items[0].Status != plan.StatusInProgress {
		t.Fatalf("%d notes stored (want %d), first step %s", len(r.Notes), n-5, r.Items[0].Status)
	}
	v := plan.NewVerifier()
	if err := f.store.Stream(ctx, runID, func(e plan.Event) error { return v.Add(e) }); err != nil {
		t.Fatal(err)
	}
}

// TestAPanicWhileCommittingFailsOnlyItsBatch: a bug met while storing a
// command (here, in planning its jobs) answers its caller with an error
// and stores nothing of it; the bot, and the run, go on.
func TestAPanicWhileCommittingFailsOnlyItsBatch(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	runID := f.activate(t)
	jobs := func(_ *plan.Run, evs []plan.Event) ([]storage.Job, error) {
		for _, e := range evs {
			if e.Type == plan.EventNoteAdded && strings.Contains(string(e.Payload), "pánico") {
				panic("a bug in planning jobs")
			}
		}
		return nil, nil
	}
	b, err := bot.New(bot.Config{Plan: f.plan, Store: f.store, Now: f.clock, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	if err := b.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); b.Stop() }()

	if _, err := b.Command(ctx, carla, "nota "+runID+" pánico"); err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("a panicking commit answered %v", err)
	}
	if rep, err := b.Command(ctx, carla, "nota "+runID+" todo en orden"); err != nil || rep.Refused {
		t.Fatalf("the next note: %+v %v", rep, err)
	}
	r, err := b.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 1 || r.Notes[0].Text != "todo en orden" {
		t.Fatalf("notes stored: %+v", r.Notes)
	}
}

// TestAnActionNoApproverSeesIsReviewedFirst: a destructive action that
// needs no approval shows its dry run to the person who pressed run, with
// the button that starts it; facts that changed meanwhile are shown again
// instead of acting on what nobody saw.
func TestAnActionNoApproverSeesIsReviewedFirst(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	restore, _ := f.plan.Procedure("restaurar")
	for i := range restore.Steps {
		if restore.Steps[i].ID == "desplegar" {
			restore.Steps[i].Approval = nil
		}
	}
	copyAge := "6 h"
	preflight := func(_ context.Context, _ *plan.Run, it *plan.Item) (string, map[string]string, error) {
		return "Desplegar la copia de " + it.Server + " de hace " + copyAge, map[string]string{"source_at": copyAge}, nil
	}
	b, err := bot.New(bot.Config{Plan: f.plan, Store: f.store, Now: f.clock, Preflight: preflight})
	if err != nil {
		t.Fatal(err)
	}
	runID := f.activate(t)
	mustOK(t, f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonDone, ""))
	mustOK(t, f.click(t, ana, runID, "evaluacion/activar", bot.ButtonDone, ""))
	mustOK(t, f.click(t, beto, runID, "evaluacion/activar", bot.ButtonApprove, ""))
	mustOK(t, f.click(t, ana, runID, "restaurar/prioridades", bot.ButtonPriorities, ""))
	const key = "restaurar/desplegar@db"
	status := func() plan.Status {
		r, err := b.Load(ctx, runID)
		if err != nil {
			t.Fatal(err)
		}
		it, _ := r.Item(key)
		return it.Status
	}
	press := func(v bot.ButtonValue) bot.Reply {
		rep, err := b.Click(ctx, diego, v.String(), "")
		if err != nil || rep.Refused {
			t.Fatalf("click %s: %+v %v", v, rep, err)
		}
		return rep
	}
	r, _ := b.Load(ctx, runID)
	it, _ := r.Item(key)
	run := bot.ButtonValue{RunID: runID, Kind: bot.ButtonRun, Step: key, Seq: it.Version}

	// Someone without the step's role sees no dry run: the refusal, recorded.
	if rep, err := b.Click(ctx, carla, run.String(), ""); err != nil || !rep.Refused || strings.Contains(rep.Text, "de hace") || len(rep.Buttons) != 0 {
		t.Fatalf("a press by the DBA on the sysadmin's step: %+v %v", rep, err)
	}

	rep := press(run)
	if !strings.Contains(rep.Text, "de hace 6 h") || len(rep.Buttons) != 1 || rep.Buttons[0].Value.Reviewed == "" || status() != plan.StatusPending {
		t.Fatalf("first press: %+v, step %s; want the dry run to review and the step untouched", rep, status())
	}
	reviewed := rep.Buttons[0].Value

	copyAge = "9 h" // a newer look finds another copy
	rep = press(reviewed)
	if !strings.Contains(rep.Text, "cambiaron") || !strings.Contains(rep.Text, "de hace 9 h") || len(rep.Buttons) != 1 || status() != plan.StatusPending {
		t.Fatalf("press after the facts changed: %+v, step %s", rep, status())
	}
	rep = press(rep.Buttons[0].Value)
	if len(rep.Buttons) != 0 || status() != plan.StatusRunning {
		t.Fatalf("press on the reviewed facts: %+v, step %s; want it running", rep, status())
	}
	r, _ = b.Load(ctx, runID)
	if it, _ := r.Item(key); it.Facts["source_at"] != "9 h" {
		t.Fatalf("facts queued %v, want the reviewed ones", it.Facts)
	}
	if _, err := bot.ParseButtonValue(run.String() + "|zz"); err == nil {
		t.Fatal("a malformed review digest was accepted")
	}
}
