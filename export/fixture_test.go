package export

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// t0 is when the test run is declared.
var t0 = time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)

// fixedNow is the fake clock of every export in these tests.
func fixedNow() time.Time { return t0.Add(6 * time.Hour) }

// testPlan is a small plan shaped like the Quipux one: an assessing
// procedure, an OVF restore procedure per server and a testing procedure
// per service.
func testPlan() *plan.Plan {
	return &plan.Plan{
		ID:    "quipux",
		Title: plan.Text{ES: "Plan de contingencia de Administración documental", EN: "Document management contingency plan"},
		Hash:  "9f2c1a7e0b6d4c3e8a5f1b2d7c9e0a4b6d8f1c3e5a7b9d0f2e4c6a8b0d1f3e5a",
		Services: []plan.Service{
			{ID: "quipux", Name: plan.Text{ES: "Gestión documental Quipux", EN: "Quipux document management"}, Priority: 1, RTO: plan.Duration(4 * time.Hour), Servers: []string{"app-quipux"}},
			{ID: "correo", Name: plan.Text{ES: "Correo electrónico", EN: "E-mail"}, Priority: 2, RTO: plan.Duration(time.Hour), Servers: []string{"mail-01"}},
		},
		Servers: []plan.Server{
			{ID: "db-quipux", Role: plan.RoleDatabase},
			{ID: "app-quipux", Role: plan.RoleApp, DependsOn: []string{"db-quipux"}},
			{ID: "mail-01", Role: plan.RoleMail},
		},
		Procedures: []plan.Procedure{
			{ID: "evaluacion", Phase: plan.PhaseAssessing, Steps: []plan.Step{
				{ID: "danos", Title: plan.Text{ES: "Evaluar los daños", EN: "Assess the damage"}, Kind: plan.KindManual},
			}},
			{ID: "restaurar-ovf", Phase: plan.PhaseRestoring, Strategy: plan.StrategyOVF, Steps: []plan.Step{
				{ID: "desplegar", Title: plan.Text{ES: "Desplegar la copia OVF", EN: "Deploy the OVF copy"}, Kind: plan.KindAction, Scope: plan.ScopeServer},
			}},
			{ID: "pruebas", Phase: plan.PhaseTesting, Steps: []plan.Step{
				{ID: "funcional", Title: plan.Text{ES: "Prueba funcional", EN: "Functional test"}, Kind: plan.KindCheck, Scope: plan.ScopeService},
			}},
		},
	}
}

var (
	leader = plan.Actor{Platform: "slack", UserID: "U0LEADER", Name: "María Núñez"}
	admin  = plan.Actor{Platform: "mattermost", UserID: "jperez", Name: "Juan Pérez"}
)

// step is one event of the test run, minutes after t0.
type step struct {
	min     int
	actor   plan.Actor
	typ     plan.EventType
	payload any
}

// testSteps is the test run: Quipux restored within its RTO (4 h) and
// verified, the mail service restored past its RTO (1 h), then closed.
func testSteps(p *plan.Plan) []step {
	return []step{
		{0, leader, plan.EventRunDeclared, plan.RunDeclared{PlanID: p.ID, PlanHash: p.Hash, Services: []string{"quipux", "correo"}, Strategy: plan.StrategyOVF, Assessment: "Incendio en el centro de datos", Leader: "director", DeclaredAt: t0}},
		{5, admin, plan.EventStepStarted, plan.StepEvent{Step: "evaluacion/danos"}},
		{20, admin, plan.EventStepCompleted, plan.StepEvent{Step: "evaluacion/danos"}},
		{30, admin, plan.EventStepStarted, plan.StepEvent{Step: "restaurar-ovf/desplegar@db-quipux"}},
		{31, plan.System, plan.EventActionStarted, plan.ActionEvent{Step: "restaurar-ovf/desplegar@mail-01", Action: "vsphere.deploy_ovf", Target: "mail-01"}},
		{60, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@db-quipux"}},
		{90, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@app-quipux"}},
		{95, leader, plan.EventNoteAdded, plan.NoteAdded{Text: "Administración: la réplica | está <lista> & señalada"}},
		{100, admin, plan.EventStepStarted, plan.StepEvent{Step: "pruebas/funcional@quipux"}},
		{110, admin, plan.EventStepCompleted, plan.StepEvent{Step: "pruebas/funcional@quipux"}},
		{120, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@mail-01"}},
		{130, admin, plan.EventStepCompleted, plan.StepEvent{Step: "pruebas/funcional@correo"}},
		{140, leader, plan.EventRunClosed, plan.RunEnded{Reason: "servicios restablecidos"}},
	}
}

// sealRun builds the sealed events of runID from steps.
func sealRun(tb testing.TB, runID string, steps []step) []plan.Event {
	tb.Helper()
	events := make([]plan.Event, 0, len(steps))
	prev := plan.GenesisHash
	for i, s := range steps {
		payload, err := json.Marshal(s.payload)
		if err != nil {
			tb.Fatalf("encoding payload %d: %v", i, err)
		}
		e := plan.Event{RunID: runID, At: t0.Add(time.Duration(s.min) * time.Minute), Actor: s.actor, Type: s.typ,
			Payload: payload, IdempotencyKey: runID + "-" + string(rune('a'+i))}
		if err := plan.Seal(&e, int64(i+1), prev); err != nil {
			tb.Fatalf("sealing event %d: %v", i+1, err)
		}
		prev = e.Hash
		events = append(events, e)
	}
	return events
}

const testRunID = "CONT-2026-0007"

// setup returns the test plan, the sealed test run and a source over it.
func setup(tb testing.TB) (*plan.Plan, []plan.Event, *memSource) {
	tb.Helper()
	p := testPlan()
	events := sealRun(tb, testRunID, testSteps(p))
	return p, events, &memSource{runs: map[string][]plan.Event{testRunID: events}}
}

// errNoRun is what memSource returns for a run it does not hold.
var errNoRun = errors.New("run not found")

// memSource is an in-memory Source; after, when set, runs after each full
// pass (to append events between the passes of an export).
type memSource struct {
	runs   map[string][]plan.Event
	passes int
	after  func(m *memSource)
}

func (m *memSource) Stream(ctx context.Context, runID string, fn func(plan.Event) error) error {
	events, ok := m.runs[runID]
	if !ok {
		return errNoRun
	}
	for _, e := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	m.passes++
	if m.after != nil {
		m.after(m)
	}
	return nil
}
