package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/vmware/govmomi/simulator"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage/sqlite"
)

// TestAWorkerStoppedMidDeployFinishesOnceAfterARestart stops the job
// workers while a deploy is powering its VM on, starts new ones on the
// same store (a restarted process), and checks that the deploy completes
// once, with both attempts in the timeline.
func TestAWorkerStoppedMidDeployFinishesOnceAfterARestart(t *testing.T) {
	simulator.TaskDelay.MethodDelay = map[string]int{"PowerOn": 1500}
	defer func() { simulator.TaskDelay.MethodDelay = nil }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, ctx, false)
	world, rec := h.world, h.rec
	open := func() *sqlite.Store { return h.open(t, ctx, 2, 300*time.Millisecond) }
	st := open()

	// A run whose only work left is the deploy of quipux-db, queued as a
	// person would after the approval.
	leader := world.Plan.Leaders[0]
	rl, _ := world.Plan.Role(leader)
	ana := plan.Actor{Platform: "shell", UserID: rl.People[0].Email, Name: rl.People[0].Name}
	runID := "CONT-2026-0100"
	must := func(c plan.Command) {
		t.Helper()
		if err := rec.b.Record(ctx, runID, c, ""); err != nil {
			t.Fatal(err)
		}
	}
	must(plan.Declare{By: plan.By{Who: ana}, Services: []string{"quipux"}, Strategy: plan.StrategyOVF})
	r, _ := rec.b.Load(ctx, runID)
	for _, it := range r.Items {
		if it.Phase == plan.PhaseAssessing {
			must(plan.SkipStep{By: plan.By{Who: ana}, Step: it.Key, Reason: "prueba de reinicio"})
		}
	}
	must(plan.ConfirmPriorities{By: plan.By{Who: ana}, Step: "restauracion-ovf/prioridades"})
	for _, k := range []string{"restauracion-ovf/solicitar-servidores", "restauracion-ovf/entregar-copia@dns-01", "restauracion-ovf/entregar-copia@quipux-db"} {
		must(plan.SkipStep{By: plan.By{Who: ana}, Step: k, Reason: "prueba de reinicio"})
	}
	// quipux-db waits for the DNS server, deployed first.
	dns, key := "restauracion-ovf/levantar-servidor@dns-01", "restauracion-ovf/levantar-servidor@quipux-db"
	must(plan.Schedule{By: plan.By{Who: ana}, Steps: []string{dns, key}})
	// The deploys' approval belongs to a role whose second person approves.
	it, _ := r.Item(key)
	approverRole, _ := world.Plan.Role(it.Step.Approval[0])
	approver := plan.Actor{Platform: "shell", UserID: approverRole.People[1].Email, Name: approverRole.People[1].Name}
	must(plan.Approve{By: plan.By{Who: approver}, Step: dns})
	must(plan.Approve{By: plan.By{Who: approver}, Step: key})

	// Wait until the deploy is powering on (its progress says so), then stop the workers.
	deadline := time.After(30 * time.Second)
	for {
		var err error
		r, err = rec.b.Load(ctx, runID)
		if err != nil {
			t.Fatal(err)
		}
		it, _ = r.Item(key)
		if it.Status == plan.StatusRunning && it.Percent >= 50 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the deploy never got under way: %s %d%% %s; waits for %s", it.Status, it.Percent, it.Message, firstKey(r.WaitingFor(it)))
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := st.StopJobs(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// The restarted process picks the job up again and finishes it.
	st = open()
	defer st.Close()
	defer st.StopJobs(context.Background())
	events, stop2 := st.SubscribeJobs(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer stop2()
	r = waitDone(t, rec.b, runID, []string{key}, events, nil)
	var attempts, succeeded int
	if err := st.Stream(ctx, runID, func(e plan.Event) error {
		var a plan.ActionEvent
		if err := jsonUnmarshal(e.Payload, &a); err != nil {
			return err
		}
		if a.Step != key {
			return nil
		}
		t.Logf("%s %s %d%% %s %s", e.At.Format("15:04:05.000"), e.Type, a.Percent, a.Message, a.Error)
		switch e.Type {
		case plan.EventActionStarted:
			attempts++
		case plan.EventActionSucceeded:
			succeeded++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if attempts < 2 || succeeded != 1 {
		t.Fatalf("timeline has %d attempts and %d successes; want both attempts and one success", attempts, succeeded)
	}
}
