package actions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/contingencia/contingencia/plan"
)

// memRecorder decides and applies the workers' reports on one run held in
// memory, sealing events as a store would.
type memRecorder struct {
	tb     testing.TB
	run    *plan.Run
	events []plan.Event
	now    time.Time
}

func (m *memRecorder) Load(context.Context, string) (*plan.Run, error) { return m.run, nil }

func (m *memRecorder) Record(_ context.Context, _ string, c plan.Command, _ string) error {
	m.tb.Helper()
	m.now = m.now.Add(time.Minute)
	evs, err := plan.Decide(m.run, c, m.now)
	if err != nil {
		m.tb.Fatalf("%s: %v", c.Name(), err)
	}
	for _, e := range evs {
		if err := plan.Seal(&e, m.run.Seq+1, m.run.Head); err != nil {
			m.tb.Fatal(err)
		}
		if err := m.run.Apply(e); err != nil {
			m.tb.Fatal(err)
		}
		m.events = append(m.events, e)
	}
	return nil
}

// The small plan's people, on Slack.
var (
	ana   = plan.By{Who: plan.Actor{Platform: "slack", UserID: "U0SM00001", Name: "Ana Líder"}}
	beto  = plan.By{Who: plan.Actor{Platform: "slack", UserID: "U0SM00002", Name: "Beto Suplente"}}
	diego = plan.By{Who: plan.Actor{Platform: "slack", UserID: "U0SM00004", Name: "Diego Sistemas"}}
)

// scheduled declares a run of p on the api service, takes it through the
// assessment and the priorities, schedules step for automatic restore and
// records then.
func scheduled(t *testing.T, p *plan.Plan, step string, then ...plan.Command) *memRecorder {
	t.Helper()
	rec := &memRecorder{tb: t, run: plan.NewRun("CONT-2026-0001", p), now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
	for _, c := range append([]plan.Command{
		plan.Declare{By: ana, Services: []string{"api"}, Strategy: plan.StrategyOVF, Assessment: "incendio"},
		plan.CompleteStep{By: diego, Step: "evaluacion/evaluar"},
		plan.RunStep{By: ana, Step: "evaluacion/activar"},
		plan.Approve{By: beto, Step: "evaluacion/activar"},
		plan.ConfirmPriorities{By: ana, Step: "restaurar/prioridades"},
		plan.Schedule{By: ana, Steps: []string{step}},
	}, then...) {
		if err := rec.Record(context.Background(), rec.run.ID, c, ""); err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

// TestAScheduledActionIsDryRunJustBeforeItRuns: a step approved for
// automatic restore has no dry run of its own; the worker makes one just
// before acting, shows its summary as progress and records its facts with
// the result.
func TestAScheduledActionIsDryRunJustBeforeItRuns(t *testing.T) {
	ctx := context.Background()
	p, err := plan.LoadFile("../testdata/plans/small.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	const step = "restaurar/desplegar@db"
	rec := scheduled(t, p, step, plan.Approve{By: beto, Step: step})
	if it, _ := rec.run.Item(step); it.Status != plan.StatusScheduled || len(it.Facts) != 0 {
		t.Fatalf("%s: %s with facts %v, want scheduled without a dry run", step, it.Status, it.Facts)
	}
	deploy := &planner{state: "poweredOff"}
	w, err := NewActionWorker(WorkerConfig{Registry: NewDefaultRegistry(provider{"vsphere.deploy_ovf": deploy}), Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	job := &river.Job[ActionArgs]{JobRow: &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 5},
		Args: ActionArgs{RunID: rec.run.ID, Step: step, Action: "vsphere.deploy_ovf", Target: "db"}}
	if err := w.Work(ctx, job); err != nil {
		t.Fatal(err)
	}
	it, _ := rec.run.Item(step)
	if deploy.executed != 1 || it.Status != plan.StatusDone {
		t.Fatalf("executed %d times, step %s", deploy.executed, it.Status)
	}
	if it.Facts[FactPowerState] != "poweredOff" {
		t.Errorf("facts after the run = %v, want the dry run's", it.Facts)
	}
	var progress, succeeded plan.ActionEvent
	for _, e := range rec.events {
		switch e.Type {
		case plan.EventActionProgress:
			if err := json.Unmarshal(e.Payload, &progress); err != nil {
				t.Fatal(err)
			}
		case plan.EventActionSucceeded:
			if err := json.Unmarshal(e.Payload, &succeeded); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.Contains(progress.Message, "apagar") || succeeded.Facts[FactPowerState] != "poweredOff" {
		t.Errorf("progress %+v, result %+v: want the dry run's summary, then its facts with the result", progress, succeeded)
	}
}

// TestAScheduledServiceCheckRunsWithoutADryRun: a service check without
// an action of its own (it runs the service's functional checks) has no
// dry run to make before it starts; it just runs.
func TestAScheduledServiceCheckRunsWithoutADryRun(t *testing.T) {
	ctx := context.Background()
	p, err := plan.LoadFile("../testdata/plans/small.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	restore, _ := p.Procedure("restaurar")
	restore.Steps = append(restore.Steps, plan.Step{ID: "verificar-servicio", Title: plan.Text{ES: "Verificar el servicio", EN: "Verify the service"},
		Owner: "sysadmin", Kind: plan.KindCheck, Scope: plan.ScopeService})
	const step = "restaurar/verificar-servicio@api"
	rec := scheduled(t, p, step)
	if it, ok := rec.run.Item(step); !ok || it.Status != plan.StatusScheduled {
		t.Fatalf("%s not scheduled: %+v", step, it)
	}
	checked := 0
	tcp := ExecutorFunc(func(context.Context, Request) (Result, error) { checked++; return Result{Message: "acepta"}, nil })
	w, err := NewActionWorker(WorkerConfig{Registry: NewDefaultRegistry(provider{"check.tcp": tcp}), Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	job := &river.Job[ActionArgs]{JobRow: &rivertype.JobRow{ID: 8, Attempt: 1, MaxAttempts: 5},
		Args: ActionArgs{RunID: rec.run.ID, Step: step, Target: "api"}}
	if err := w.Work(ctx, job); err != nil {
		t.Fatalf("the scheduled service check: %v", err)
	}
	if it, _ := rec.run.Item(step); checked != 1 || it.Status != plan.StatusDone {
		t.Fatalf("checks run %d times, step %s", checked, it.Status)
	}
}
