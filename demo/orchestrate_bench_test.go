package demo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/vmware/govmomi/simulator"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// BenchmarkQuipuxAutomaticRestore restores the whole Quipux plan on the
// simulated vCenter with automatic restore, each power-on taking the
// delay a real one might (scaled down), and reports the wall time of the
// orchestration divided by the critical-path lower bound: the longest
// chain of dependent restore steps, each costed at its own measured
// duration. 1.00 would be perfect parallelism with no idle wait.
func BenchmarkQuipuxAutomaticRestore(b *testing.B) {
	simulator.TaskDelay.MethodDelay = map[string]int{"PowerOn": 400}
	defer func() { simulator.TaskDelay.MethodDelay = nil }()
	var ratios, walls []float64
	for range b.N {
		wall, bound := restoreOnce(b)
		ratios = append(ratios, wall.Seconds()/bound.Seconds())
		walls = append(walls, wall.Seconds())
	}
	slices.Sort(ratios)
	slices.Sort(walls)
	b.ReportMetric(ratios[len(ratios)/2], "wall/critical-path")
	b.ReportMetric(walls[len(walls)/2], "wall-s")
}

func restoreOnce(tb testing.TB) (wall, bound time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(tb, ctx, true)
	world := h.world
	st := h.open(tb, ctx, 40, 0)
	defer st.Close()
	defer st.StopJobs(context.Background())
	b := h.rec.b
	defer b.Stop()

	person := func(role string) bot.Origin {
		rl, _ := world.Plan.Role(role)
		return bot.Origin{Platform: "shell", UserID: rl.People[0].Email, UserName: rl.People[0].Name, ChannelID: "bench"}
	}
	leader, other := person(world.Plan.Leaders[0]), person(world.Plan.Leaders[1])
	var services []string
	for _, s := range world.Plan.Services {
		services = append(services, s.ID)
	}
	rep, err := b.Activate(ctx, leader, bot.Activation{Services: services, Strategy: plan.StrategyOVF, Assessment: "benchmark"})
	if err != nil || rep.Refused {
		tb.Fatalf("activate: %+v %v", rep, err)
	}
	runID := rep.RunID
	r, err := b.Load(ctx, runID)
	if err != nil {
		tb.Fatal(err)
	}
	events, stop := st.SubscribeJobs(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer stop()
	// The assessment, as its owners would do it, then the priorities.
	var assessing []string
	for _, it := range r.Items {
		if it.Phase != plan.PhaseAssessing {
			continue
		}
		assessing = append(assessing, it.Key)
		owner := person(it.Step.Owner)
		kind := bot.ButtonDone
		if it.Step.Kind == plan.KindAction || it.Step.Kind == plan.KindCheck {
			kind = bot.ButtonRun
		}
		if rep, err := b.Click(ctx, owner, bot.ButtonValue{RunID: runID, Kind: kind, Step: it.Key}.String(), ""); err != nil || rep.Refused {
			tb.Fatalf("%s: %+v %v", it.Key, rep, err)
		}
		if it.Step.Kind == plan.KindApproval {
			approver := leader
			if owner == leader {
				approver = other
			}
			if rep, err := b.Click(ctx, approver, bot.ButtonValue{RunID: runID, Kind: bot.ButtonApprove, Step: it.Key}.String(), ""); err != nil || rep.Refused {
				tb.Fatalf("approving %s: %+v %v", it.Key, rep, err)
			}
		}
	}
	waitDone(tb, b, runID, assessing, events, nil)
	r, _ = b.Load(ctx, runID)
	for _, it := range r.Items {
		if it.Step.Priorities {
			if rep, err := b.Click(ctx, person(it.Step.Owner), bot.ButtonValue{RunID: runID, Kind: bot.ButtonPriorities, Step: it.Key}.String(), ""); err != nil || rep.Refused {
				tb.Fatalf("priorities: %+v %v", rep, err)
			}
		}
	}
	// What people do before the provider can deploy (request servers,
	// deliver the copies) is done first: the benchmark times the machines.
	r, _ = b.Load(ctx, runID)
	for _, it := range r.Items {
		if it.Phase == plan.PhaseRestoring && it.Step.Kind == plan.KindManual && !it.Step.Priorities && stepIndex(it) < firstAction(it.Procedure) {
			if rep, err := b.Click(ctx, person(it.Step.Owner), bot.ButtonValue{RunID: runID, Kind: bot.ButtonDone, Step: it.Key}.String(), ""); err != nil || rep.Refused {
				tb.Fatalf("%s: %+v %v", it.Key, rep, err)
			}
		}
	}
	r, _ = b.Load(ctx, runID)
	keys := bot.AutoRestoreSteps(r)
	if len(keys) == 0 {
		tb.Fatal("nothing to restore")
	}
	if rep, err := b.Click(ctx, leader, bot.ButtonValue{RunID: runID, Kind: bot.ButtonAuto, Step: "restoring", Seq: r.Seq}.String(), ""); err != nil || rep.Refused {
		tb.Fatalf("auto: %+v %v", rep, err)
	}
	start := time.Now()
	// Each approval by a holder of the approving role who did not ask.
	r, _ = b.Load(ctx, runID)
	for _, k := range bot.ScheduledApprovals(r) {
		it, _ := r.Item(k)
		approved := false
		for _, role := range it.Step.Approval {
			rl, _ := world.Plan.Role(role)
			for _, pp := range rl.People {
				o := bot.Origin{Platform: "shell", UserID: pp.Email, UserName: pp.Name, ChannelID: "bench"}
				if o.Actor() == it.RequestedBy || approved {
					continue
				}
				rep, err := b.Click(ctx, o, bot.ButtonValue{RunID: runID, Kind: bot.ButtonApprove, Step: k, Seq: it.Version}.String(), "")
				if err != nil || rep.Refused {
					tb.Fatalf("approving %s: %+v %v", k, rep, err)
				}
				approved = true
			}
		}
	}
	// The manual steps between the machines' (the DBA's check of the
	// restored database, …) are done the moment they can be, as by a
	// person waiting for them: the service checks come after them.
	var manual []string
	for _, it := range r.Items {
		if it.Phase == plan.PhaseRestoring && it.Step.Kind == plan.KindManual && !it.Status.Finished() && !it.Step.Priorities {
			manual = append(manual, it.Key)
		}
	}
	doManual := func(r *plan.Run) {
		for _, k := range manual {
			it, _ := r.Item(k)
			if it.Status != plan.StatusPending || len(r.WaitingFor(it)) > 0 {
				continue
			}
			rep, err := b.Click(ctx, person(it.Step.Owner), bot.ButtonValue{RunID: runID, Kind: bot.ButtonDone, Step: k}.String(), "")
			if err != nil || rep.Refused {
				tb.Fatalf("%s: %+v %v", k, rep, err)
			}
		}
	}
	r = waitDone(tb, b, runID, append(slices.Clone(keys), manual...), events, doManual)
	return restoreSpan(tb, st, runID, keys, start), criticalPath(tb, st, r, append(keys, manual...))
}

// waitDone waits, job by job, until every step of keys is done (bounded),
// and returns the run then; act, when set, sees the run at every turn.
func waitDone(tb testing.TB, b *bot.Bot, runID string, keys []string, events <-chan *river.Event, act func(*plan.Run)) *plan.Run {
	tb.Helper()
	timeout := time.After(20 * time.Second)
	for {
		r, err := b.Load(context.Background(), runID)
		if err != nil {
			tb.Fatal(err)
		}
		if act != nil {
			act(r)
		}
		open := 0
		for _, k := range keys {
			it, _ := r.Item(k)
			switch it.Status {
			case plan.StatusDone:
			case plan.StatusFailed:
				tb.Fatalf("%s failed: %s", k, it.Reason)
			default:
				open++
			}
		}
		if open == 0 {
			return r
		}
		select {
		case <-events:
		case <-timeout:
			var desc []string
			for _, k := range keys {
				if it, _ := r.Item(k); it.Status != plan.StatusDone && len(desc) < 8 {
					desc = append(desc, fmt.Sprintf("%s=%s(waits %d: %s)", k, it.Status, len(r.WaitingFor(it)), firstKey(r.WaitingFor(it))))
				}
			}
			tb.Fatalf("%d steps still open: %v", open, desc)
		}
	}
}

// timings reads each step's start and end from the timeline (a manual
// step has only an end).
func timings(tb testing.TB, st storage.Store, runID string) (started, ended map[string]time.Time) {
	tb.Helper()
	started, ended = map[string]time.Time{}, map[string]time.Time{}
	err := st.Stream(context.Background(), runID, func(e plan.Event) error {
		var a plan.ActionEvent
		switch e.Type {
		case plan.EventActionStarted, plan.EventActionSucceeded, plan.EventStepCompleted:
			if err := jsonUnmarshal(e.Payload, &a); err != nil {
				return err
			}
			if e.Type == plan.EventActionStarted {
				started[a.Step] = e.At
			} else {
				ended[a.Step] = e.At
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return started, ended
}

func restoreSpan(tb testing.TB, st storage.Store, runID string, keys []string, start time.Time) time.Duration {
	_, ended := timings(tb, st, runID)
	var last time.Time
	for _, k := range keys {
		if ended[k].After(last) {
			last = ended[k]
		}
	}
	return last.Sub(start.UTC())
}

// criticalPath is the longest chain of restore steps that wait for one
// another (a server's dependencies for the same step; earlier steps on
// the same server; a service's own steps after the earlier steps on its
// servers), each costed at its measured duration: an action's from its
// start, a manual step's from when the steps it waits for ended.
func criticalPath(tb testing.TB, st storage.Store, r *plan.Run, keys []string) time.Duration {
	started, ended := timings(tb, st, r.ID)
	memo := map[string]time.Duration{}
	var cost func(k string) time.Duration
	cost = func(k string) time.Duration {
		if d, ok := memo[k]; ok {
			return d
		}
		it, _ := r.Item(k)
		var before time.Duration
		var readyAt time.Time // when the last step it waits for ended
		for _, o := range keys {
			oi, _ := r.Item(o)
			if oi == it || oi.Server == "" || oi.Procedure != it.Procedure {
				continue
			}
			sameStepDep := it.Server != "" && oi.Step == it.Step && dependsOn(r.Plan, it.Server, oi.Server)
			sameServerEarlier := it.Server != "" && oi.Server == it.Server && stepIndex(oi) < stepIndex(it)
			serviceAfterServers := it.Server == "" && it.Service != "" && stepIndex(oi) < stepIndex(it) && runsOn(r.Plan, it.Service, oi.Server)
			if sameStepDep || sameServerEarlier || serviceAfterServers {
				before = max(before, cost(o))
				if ended[o].After(readyAt) {
					readyAt = ended[o]
				}
			}
		}
		from, ok := started[k]
		if !ok {
			from = readyAt // a manual step: it takes from when it could start until done
		}
		memo[k] = before + ended[k].Sub(from)
		return memo[k]
	}
	var longest time.Duration
	for _, k := range keys {
		longest = max(longest, cost(k))
	}
	if longest <= 0 {
		tb.Fatal(fmt.Sprintf("no critical path from %d steps", len(keys)))
	}
	return longest
}

func stepIndex(it *plan.Item) int {
	for i, st := range it.Procedure.Steps {
		if st.ID == it.Step.ID {
			return i
		}
	}
	return -1
}

func dependsOn(p *plan.Plan, a, b string) bool {
	srv, ok := p.Server(a)
	if !ok {
		return false
	}
	for _, d := range srv.DependsOn {
		if d == b || dependsOn(p, d, b) {
			return true
		}
	}
	return false
}

// runsOn reports whether a service needs a server, directly or through
// its servers' dependencies.
func runsOn(p *plan.Plan, service, server string) bool {
	return slices.Contains(p.ServersOf(service), server)
}

func firstKey(items []*plan.Item) string {
	if len(items) == 0 {
		return "-"
	}
	return items[0].Key + "=" + string(items[0].Status)
}

// firstAction is the index of a procedure's first action step.
func firstAction(p *plan.Procedure) int {
	for i, st := range p.Steps {
		if st.Kind == plan.KindAction {
			return i
		}
	}
	return len(p.Steps)
}
