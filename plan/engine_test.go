package plan_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// enginePlan is a small plan written in Go so the engine tests do not
// depend on the YAML loader: two services sharing a DNS server, a DB that
// the app depends on, an approval on deploys.
func enginePlan() *plan.Plan {
	t := func(s string) plan.Text { return plan.Text{ES: s, EN: s} }
	return &plan.Plan{
		ID: "test", Title: t("Plan de prueba"), Hash: "abc123", Leaders: []string{"leader"},
		ApprovalWindow: plan.Duration(30 * time.Minute),
		Units:          []plan.Unit{{ID: "TI", Name: t("TI")}},
		Roles: []plan.Role{
			{ID: "leader", Name: t("Director"), Unit: "TI", Team: plan.TeamLeader, People: []plan.Person{
				{Name: "Ana", Slack: "UANA"}, {Name: "Beto", Slack: "UBETO"}}},
			{ID: "dba", Name: t("DBA"), Unit: "TI", Team: plan.TeamMain, People: []plan.Person{{Name: "Carla", Slack: "UCARLA"}}},
			{ID: "sysadmin", Name: t("Sysadmin"), Unit: "TI", Team: plan.TeamMain, People: []plan.Person{
				{Name: "Dario", Slack: "UDARIO"}, {Name: "Eva", Slack: "UEVA"}}},
		},
		Services: []plan.Service{
			{ID: "portal", Name: t("Portal"), Priority: 2, Servers: []string{"web", "dns"}},
			{ID: "docs", Name: t("Documentos"), Priority: 1, Servers: []string{"app", "dns"}},
		},
		Servers: []plan.Server{
			{ID: "web", Role: plan.RoleWeb, DependsOn: []string{"app"}},
			{ID: "app", Role: plan.RoleApp, DependsOn: []string{"db"}},
			{ID: "db", Role: plan.RoleDatabase},
			{ID: "dns", Role: plan.RoleDNS},
		},
		Procedures: []plan.Procedure{
			{ID: "eval", Phase: plan.PhaseAssessing, Steps: []plan.Step{
				{ID: "assess", Title: t("Evaluar daños"), Owner: "sysadmin", Kind: plan.KindManual},
			}},
			{ID: "ovf", Phase: plan.PhaseRestoring, Strategy: plan.StrategyOVF, Steps: []plan.Step{
				{ID: "prio", Title: t("Definir prioridades"), Owner: "leader", Kind: plan.KindManual, Priorities: true},
				{ID: "deploy", Title: t("Desplegar"), Owner: "sysadmin", Kind: plan.KindAction, Scope: plan.ScopeServer,
					Action: "vsphere.deploy_ovf", Confirm: true, Approval: []string{"leader"}},
				{ID: "verifydb", Title: t("Verificar BD"), Owner: "dba", Kind: plan.KindManual, Scope: plan.ScopeServer,
					ServerRoles: []plan.ServerRole{plan.RoleDatabase}, Optional: true},
			}},
			{ID: "lib", Phase: plan.PhaseRestoring, Strategy: plan.StrategyLibrary, Steps: []plan.Step{
				{ID: "prio", Title: t("Definir prioridades"), Owner: "leader", Kind: plan.KindManual, Priorities: true},
			}},
			{ID: "tests", Phase: plan.PhaseTesting, Steps: []plan.Step{
				{ID: "check", Title: t("Probar"), Owner: "sysadmin", Kind: plan.KindCheck, Scope: plan.ScopeService, Action: "check.http"},
				{ID: "golive", Title: t("Paso a producción"), Owner: "leader", Kind: plan.KindApproval},
			}},
		},
	}
}

var (
	ana   = plan.Actor{Platform: "slack", UserID: "UANA", Name: "Ana"}
	beto  = plan.Actor{Platform: "slack", UserID: "UBETO", Name: "Beto"}
	carla = plan.Actor{Platform: "slack", UserID: "UCARLA", Name: "Carla"}
	dario = plan.Actor{Platform: "slack", UserID: "UDARIO", Name: "Dario"}
	zoe   = plan.Actor{Platform: "slack", UserID: "UZOE", Name: "Zoe"}
)

// harness runs commands against a run, sealing events like a store would.
type harness struct {
	tb     testing.TB
	run    *plan.Run
	events []plan.Event
	now    time.Time
}

func newHarness(tb testing.TB, p *plan.Plan) *harness {
	tb.Helper()
	return &harness{tb: tb, run: plan.NewRun("CONT-2026-0001", p), now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
}

// do decides and applies a command, returning the refusal if any.
func (h *harness) do(c plan.Command) error {
	h.tb.Helper()
	h.now = h.now.Add(time.Minute)
	evs, err := plan.Decide(h.run, c, h.now)
	if err != nil {
		return err
	}
	for _, e := range evs {
		prev := h.run.Head
		if err := plan.Seal(&e, h.run.Seq+1, prev); err != nil {
			h.tb.Fatal(err)
		}
		if err := h.run.Apply(e); err != nil {
			h.tb.Fatalf("apply %s: %v", e.Type, err)
		}
		h.events = append(h.events, e)
	}
	return nil
}

// must runs a command that must be accepted.
func (h *harness) must(c plan.Command) {
	h.tb.Helper()
	if err := h.do(c); err != nil {
		h.tb.Fatalf("%s by %s: %v", c.Name(), c.Actor().Name, err)
	}
}

// refused runs a command that must be refused with code.
func (h *harness) refused(c plan.Command, code string) *plan.Refusal {
	h.tb.Helper()
	err := h.do(c)
	ref, ok := plan.AsRefusal(err)
	if !ok || ref.Code != code {
		h.tb.Fatalf("%s by %s: want refusal %q, got %v", c.Name(), c.Actor().Name, code, err)
	}
	return ref
}

func (h *harness) status(key string) plan.Status {
	h.tb.Helper()
	it, ok := h.run.Item(key)
	if !ok {
		h.tb.Fatalf("no item %q", key)
	}
	return it.Status
}

func keys(items []*plan.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func declare(h *harness) {
	h.tb.Helper()
	h.must(plan.Declare{By: plan.By{Who: ana}, Services: []string{"portal", "docs"}, Strategy: plan.StrategyOVF, Assessment: "incendio en la sala"})
}

func TestChecklistOrder(t *testing.T) {
	h := newHarness(t, enginePlan())
	declare(h)
	want := []string{
		"eval/assess",
		"ovf/prio",
		// docs (priority 1) first: its servers after their dependencies, dns by role rank.
		"ovf/deploy@dns", "ovf/deploy@db", "ovf/deploy@app", "ovf/verifydb@db",
		// portal gets only the server not claimed yet.
		"ovf/deploy@web",
		"tests/check@docs", "tests/check@portal",
		"tests/golive",
	}
	if got := keys(h.run.Items); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("checklist:\n got %v\nwant %v", got, want)
	}

	t.Run("confirmed priorities reorder services", func(t *testing.T) {
		h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
		h.must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio", Order: []string{"portal", "docs"}})
		want := []string{"eval/assess", "ovf/prio",
			"ovf/deploy@dns", "ovf/deploy@db", "ovf/deploy@app", "ovf/deploy@web", "ovf/verifydb@db",
			"tests/check@portal", "tests/check@docs", "tests/golive"}
		if got := keys(h.run.Items); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("checklist:\n got %v\nwant %v", got, want)
		}
	})
}

func TestFullRun(t *testing.T) {
	h := newHarness(t, enginePlan())
	declare(h)
	if got := h.run.State(); got != plan.StateDeclared {
		t.Fatalf("state %s, want declared", got)
	}
	h.refused(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio"}, plan.CodeBlocked)
	h.must(plan.StartStep{By: plan.By{Who: dario}, Step: "eval/assess"})
	if got := h.run.State(); got != plan.StateAssessing {
		t.Fatalf("state %s, want assessing", got)
	}
	h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
	h.refused(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@db"}, plan.CodeBlocked)
	h.must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio"})
	if got := h.run.State(); got != plan.StateRestoring {
		t.Fatalf("state %s, want restoring", got)
	}

	for _, srv := range []string{"dns", "db", "app", "web"} {
		key := "ovf/deploy@" + srv
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: key, Preflight: "desplegar " + srv})
		if s := h.status(key); s != plan.StatusAwaitingApproval {
			t.Fatalf("%s: %s, want awaiting approval", key, s)
		}
		h.must(plan.Approve{By: plan.By{Who: ana}, Step: key})
		h.must(plan.ActionStarted{Step: key, Attempt: 1, JobID: 7})
		h.must(plan.ActionProgress{Step: key, Percent: 50, Message: "subiendo disco"})
		h.must(plan.ActionFinished{Step: key, OK: true, Message: "VM encendida"})
		if s := h.status(key); s != plan.StatusDone {
			t.Fatalf("%s: %s, want done", key, s)
		}
	}
	h.must(plan.SkipStep{By: plan.By{Who: carla}, Step: "ovf/verifydb@db"})
	if got := h.run.State(); got != plan.StateTesting {
		t.Fatalf("state %s, want testing", got)
	}
	h.refused(plan.Close{By: plan.By{Who: ana}}, plan.CodeBlocked)
	for _, svc := range []string{"docs", "portal"} {
		key := "tests/check@" + svc
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: key})
		h.must(plan.ActionFinished{Step: key, OK: true, Message: "HTTP 200"})
	}
	h.must(plan.CompleteStep{By: plan.By{Who: ana}, Step: "tests/golive"})
	h.refused(plan.Approve{By: plan.By{Who: ana}, Step: "tests/golive"}, plan.CodeSelfApproval)
	h.must(plan.Approve{By: plan.By{Who: beto}, Step: "tests/golive"})
	h.must(plan.Close{By: plan.By{Who: ana}, Reason: "servicios en producción"})
	if got := h.run.State(); got != plan.StateClosed {
		t.Fatalf("state %s, want closed", got)
	}
	h.refused(plan.AddNote{By: plan.By{Who: zoe}, Text: " "}, plan.CodeInvalid)
	h.must(plan.AddNote{By: plan.By{Who: zoe}, Text: "auditado"})
	h.refused(plan.StartStep{By: plan.By{Who: dario}, Step: "eval/assess"}, plan.CodeWrongState)

	// The timeline replays to the same state and its chain verifies.
	replayed, err := plan.Replay(h.run.ID, h.run.Plan, h.events)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := snapshot(h.run), snapshot(replayed); a != b {
		t.Fatalf("replay differs:\n%s\n---\n%s", a, b)
	}
	v := plan.NewVerifier()
	for _, e := range h.events {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRefusals(t *testing.T) {
	setup := func(t *testing.T) *harness {
		h := newHarness(t, enginePlan())
		declare(h)
		h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
		h.must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio"})
		return h
	}
	t.Run("only a leader declares", func(t *testing.T) {
		h := newHarness(t, enginePlan())
		h.refused(plan.Declare{By: plan.By{Who: dario}, Services: []string{"docs"}, Strategy: plan.StrategyOVF}, plan.CodeNotAuthorized)
		h.refused(plan.Declare{By: plan.By{Who: ana}, Services: []string{"nope"}, Strategy: plan.StrategyOVF}, plan.CodeNotFound)
		h.refused(plan.Declare{By: plan.By{Who: ana}, Services: []string{"docs"}, Strategy: "tape"}, plan.CodeInvalid)
	})
	t.Run("a click without the role is refused naming the role", func(t *testing.T) {
		h := setup(t)
		ref := h.refused(plan.RunStep{By: plan.By{Who: carla}, Step: "ovf/deploy@dns"}, plan.CodeNotAuthorized)
		if ref.Msg.ES != "No tiene el rol necesario: este paso corresponde a Sysadmin." {
			t.Fatalf("message %q", ref.Msg.ES)
		}
	})
	t.Run("the requester cannot approve, nor someone without the approving role", func(t *testing.T) {
		h := setup(t)
		h.must(plan.RunStep{By: plan.By{Who: ana}, Step: "ovf/deploy@dns"})
		h.refused(plan.Approve{By: plan.By{Who: ana}, Step: "ovf/deploy@dns"}, plan.CodeSelfApproval)
		h.refused(plan.Approve{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"}, plan.CodeNotAuthorized)
		h.refused(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"}, plan.CodeAwaitingApproval)
		h.must(plan.Approve{By: plan.By{Who: beto}, Step: "ovf/deploy@dns"})
	})
	t.Run("an expired approval cannot be granted", func(t *testing.T) {
		h := setup(t)
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"})
		h.now = h.now.Add(31 * time.Minute)
		h.refused(plan.Approve{By: plan.By{Who: ana}, Step: "ovf/deploy@dns"}, plan.CodeExpired)
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"}) // asks again
		h.must(plan.Approve{By: plan.By{Who: ana}, Step: "ovf/deploy@dns"})
	})
	t.Run("a server waits for the servers it depends on", func(t *testing.T) {
		h := setup(t)
		ref := h.refused(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@app"}, plan.CodeBlocked)
		if want := "Primero debe terminar «Desplegar» (db)."; ref.Msg.ES != want {
			t.Fatalf("message %q, want %q", ref.Msg.ES, want)
		}
	})
	t.Run("a done step says who did it and when", func(t *testing.T) {
		h := setup(t)
		ref := h.refused(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"}, plan.CodeAlreadyDone)
		if want := "Ya lo hizo Dario a las 14:02 UTC."; ref.Msg.ES != want {
			t.Fatalf("message %q, want %q", ref.Msg.ES, want)
		}
	})
	t.Run("a failed action can be retried, through approval again", func(t *testing.T) {
		h := setup(t)
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"})
		h.must(plan.Approve{By: plan.By{Who: ana}, Step: "ovf/deploy@dns"})
		h.must(plan.ActionFinished{Step: "ovf/deploy@dns", Error: "NoPermission"})
		if s := h.status("ovf/deploy@dns"); s != plan.StatusFailed {
			t.Fatalf("status %s", s)
		}
		// A duplicate report of the same result changes nothing.
		before := len(h.events)
		h.must(plan.ActionFinished{Step: "ovf/deploy@dns", OK: true})
		if len(h.events) != before {
			t.Fatal("a late action report was recorded")
		}
		h.must(plan.RetryStep{By: plan.By{Who: dario}, Step: "ovf/deploy@dns"})
		if s := h.status("ovf/deploy@dns"); s != plan.StatusAwaitingApproval {
			t.Fatalf("status %s", s)
		}
	})
	t.Run("skipping needs a reason unless optional; priorities cannot be skipped", func(t *testing.T) {
		h := newHarness(t, enginePlan())
		declare(h)
		h.refused(plan.SkipStep{By: plan.By{Who: dario}, Step: "eval/assess"}, plan.CodeInvalid)
		h.refused(plan.SkipStep{By: plan.By{Who: ana}, Step: "ovf/prio", Reason: "no"}, plan.CodeInvalid)
		h.must(plan.SkipStep{By: plan.By{Who: dario}, Step: "eval/assess", Reason: "evaluación hecha por teléfono"})
	})
	t.Run("priorities must name every affected service once", func(t *testing.T) {
		h := newHarness(t, enginePlan())
		declare(h)
		h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
		h.refused(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio", Order: []string{"docs"}}, plan.CodeInvalid)
		h.refused(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio", Order: []string{"docs", "docs", "portal"}}, plan.CodeInvalid)
		h.refused(plan.ConfirmPriorities{By: plan.By{Who: dario}, Step: "ovf/prio"}, plan.CodeNotAuthorized)
	})
	t.Run("an assigned holder acts for the role; acknowledgements are idempotent", func(t *testing.T) {
		h := setup(t)
		h.refused(plan.AssignRole{By: plan.By{Who: dario}, Role: "dba", UserID: "UZOE"}, plan.CodeNotAuthorized)
		h.must(plan.AssignRole{By: plan.By{Who: ana}, Role: "dba", UserID: "UZOE", Person: plan.Person{Name: "Zoe", Slack: "UZOE"}})
		h.must(plan.Acknowledge{By: plan.By{Who: zoe}, Role: "dba"})
		before := len(h.events)
		h.must(plan.Acknowledge{By: plan.By{Who: zoe}, Role: "dba"})
		h.must(plan.RecordPage{Type: plan.EventPageSent, Page: plan.PageEvent{Role: "dba", Person: "Zoe", UserID: "UZOE"}})
		if len(h.events) != before {
			t.Fatal("a second acknowledgement or a page after it was recorded")
		}
	})
	t.Run("an acknowledgement stops the pages about that role to that person, not an escalation of another", func(t *testing.T) {
		h := setup(t)
		h.must(plan.Acknowledge{By: plan.By{Who: beto}, Role: "leader"})
		before := len(h.events)
		h.must(plan.RecordPage{Type: plan.EventPageSent, Page: plan.PageEvent{Role: "leader", Person: "Beto", UserID: "UBETO", Channel: "email"}})
		if len(h.events) != before {
			t.Fatal("a page of Beto about the leader role was recorded after he acknowledged it")
		}
		h.must(plan.RecordPage{Type: plan.EventPageSent, Page: plan.PageEvent{Role: "dba", Person: "Beto", UserID: "UBETO", Level: 1}})
		if len(h.events) != before+1 {
			t.Fatal("the escalation of the silent dba role to Beto was not recorded")
		}
	})
}

// snapshot renders the parts of a run that a replay must reproduce.
func snapshot(r *plan.Run) string {
	s := fmt.Sprintf("state=%s seq=%d head=%s order=%v notes=%d assigned=%d refusals=%d\n",
		r.State(), r.Seq, r.Head, r.Order, len(r.Notes), len(r.Assigned), r.Refusals)
	for _, it := range r.Items {
		s += fmt.Sprintf("%s %s by=%s at=%s reason=%q req=%s appr=%s attempts=%d pct=%d msg=%q\n",
			it.Key, it.Status, it.By.UserID, it.At.Format(time.RFC3339), it.Reason, it.RequestedBy.UserID, it.ApprovedBy.UserID, it.Attempts, it.Percent, it.Message)
	}
	for _, p := range r.Pages {
		s += fmt.Sprintf("page %s %s ack=%v\n", p.Role, p.Person, p.Acknowledged)
	}
	return s
}

func TestApplyRejectsForeignTimelines(t *testing.T) {
	h := newHarness(t, enginePlan())
	declare(h)
	bad := h.events[0]
	bad.Seq = 5
	if err := plan.NewRun("x", enginePlan()).Apply(bad); err == nil {
		t.Fatal("an event out of sequence was applied")
	}
	unknown := plan.Event{Seq: 2, Type: "bogus", Payload: []byte(`{}`)}
	if err := h.run.Apply(unknown); err == nil {
		t.Fatal("an unknown event type was applied")
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestScheduleRunsStepsAsTheirDependenciesFinish(t *testing.T) {
	h := newHarness(t, enginePlan())
	declare(h)
	h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
	keys := []string{"ovf/deploy@dns", "ovf/deploy@db", "ovf/deploy@app", "ovf/deploy@web"}
	h.refused(plan.Schedule{By: plan.By{Who: ana}, Steps: keys}, plan.CodeBlocked) // priorities first
	h.must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio"})
	h.refused(plan.Schedule{By: plan.By{Who: carla}, Steps: keys}, plan.CodeNotAuthorized)
	h.must(plan.Schedule{By: plan.By{Who: ana}, Steps: keys})
	for _, k := range keys {
		if s := h.status(k); s != plan.StatusAwaitingApproval {
			t.Fatalf("%s: %s, want awaiting approval", k, s)
		}
		h.refused(plan.Approve{By: plan.By{Who: ana}, Step: k}, plan.CodeSelfApproval)
		h.must(plan.Approve{By: plan.By{Who: beto}, Step: k})
		if s := h.status(k); s != plan.StatusScheduled {
			t.Fatalf("%s: %s, want scheduled", k, s)
		}
	}
	ready := func() []string {
		var out []string
		for _, k := range keys {
			it, _ := h.run.Item(k)
			if it.Status == plan.StatusScheduled && h.run.Ready(it) {
				out = append(out, k)
			}
		}
		return out
	}
	// dns and db have no dependencies: both start at once; app waits for db, web for app.
	if got := fmt.Sprint(ready()); got != "[ovf/deploy@dns ovf/deploy@db]" {
		t.Fatalf("ready %s", got)
	}
	h.must(plan.ActionStarted{Step: "ovf/deploy@db", Attempt: 1, JobID: 3})
	h.refused(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/deploy@app"}, plan.CodeWrongState)
	h.must(plan.ActionFinished{Step: "ovf/deploy@db", OK: true})
	if got := fmt.Sprint(ready()); got != "[ovf/deploy@dns ovf/deploy@app]" {
		t.Fatalf("ready after db %s", got)
	}
	replayed, err := plan.Replay(h.run.ID, h.run.Plan, h.events)
	if err != nil || snapshot(replayed) != snapshot(h.run) {
		t.Fatalf("replay differs: %v", err)
	}
}

func TestADrillIsTornDownOnceAfterItEnds(t *testing.T) {
	h := newHarness(t, enginePlan())
	h.must(plan.Declare{By: plan.By{Who: ana}, Services: []string{"docs"}, Strategy: plan.StrategyOVF, Drill: true})
	res := plan.DrillTornDown{Removed: []string{"/DC0/vm/simulacro/db-simulacro"}}
	before := len(h.events)
	h.must(plan.RecordTeardown{Result: res}) // still open: nothing to tear down
	h.must(plan.Abort{By: plan.By{Who: ana}, Reason: "fin del simulacro"})
	h.must(plan.RecordTeardown{Result: res})
	h.must(plan.RecordTeardown{Result: res}) // once
	var torn int
	for _, e := range h.events[before:] {
		if e.Type == plan.EventDrillTornDown {
			torn++
		}
	}
	if torn != 1 || !h.run.TornDown {
		t.Fatalf("%d teardown events, want 1", torn)
	}
}

// TestAServiceIsVerifiedAfterItsServers: a service-scoped step of a
// restore procedure (verify that the service works) waits for the earlier
// steps on the servers the service runs on, dependencies included, and
// for no other server's.
func TestAServiceIsVerifiedAfterItsServers(t *testing.T) {
	p := enginePlan()
	p.Procedures[1].Steps = append(p.Procedures[1].Steps, plan.Step{ID: "verifysvc", Title: plan.Text{ES: "Verificar el servicio", EN: "Verify the service"},
		Owner: "sysadmin", Kind: plan.KindCheck, Scope: plan.ScopeService, Action: "check.http"})
	h := newHarness(t, p)
	declare(h)
	h.must(plan.CompleteStep{By: plan.By{Who: dario}, Step: "eval/assess"})
	h.must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "ovf/prio"})
	waiting := func(key string) []string {
		it, ok := h.run.Item(key)
		if !ok {
			t.Fatalf("no item %s", key)
		}
		return keys(h.run.WaitingFor(it))
	}
	// portal runs on web and dns; web depends on app, app on db.
	if got := fmt.Sprint(waiting("ovf/verifysvc@portal")); got != "[ovf/deploy@dns ovf/deploy@db ovf/deploy@app ovf/verifydb@db ovf/deploy@web]" {
		t.Fatalf("portal's verification waits for %s", got)
	}
	if got := fmt.Sprint(waiting("ovf/verifysvc@docs")); got != "[ovf/deploy@dns ovf/deploy@db ovf/deploy@app ovf/verifydb@db]" {
		t.Fatalf("docs's verification waits for %s (not for web, which it does not run on)", got)
	}
	h.refused(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/verifysvc@portal"}, plan.CodeBlocked)
	for _, srv := range []string{"dns", "db", "app", "web"} {
		key := "ovf/deploy@" + srv
		h.must(plan.RunStep{By: plan.By{Who: dario}, Step: key, Preflight: "desplegar " + srv})
		h.must(plan.Approve{By: plan.By{Who: ana}, Step: key})
		h.must(plan.ActionStarted{Step: key, Attempt: 1, JobID: 7})
		h.must(plan.ActionFinished{Step: key, OK: true})
	}
	h.must(plan.SkipStep{By: plan.By{Who: carla}, Step: "ovf/verifydb@db", Reason: "la base respondió"})
	if got := waiting("ovf/verifysvc@portal"); len(got) != 0 {
		t.Fatalf("portal's verification still waits for %v", got)
	}
	h.must(plan.RunStep{By: plan.By{Who: dario}, Step: "ovf/verifysvc@portal"})
}
