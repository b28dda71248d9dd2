package actions

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// TeardownArgs removes what a drill created once it is closed or aborted.
type TeardownArgs struct {
	RunID string `json:"run_id"`
}

// Kind is the River job kind.
func (TeardownArgs) Kind() string { return "contingencia.drill_teardown" }

// InsertOpts: one teardown per drill.
func (TeardownArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueActions, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// teardownJobs returns the teardown job of a drill that just ended.
func teardownJobs(r *plan.Run, events []plan.Event) []storage.Job {
	if !r.Declared.Drill {
		return nil
	}
	for _, e := range events {
		if e.Type == plan.EventRunClosed || e.Type == plan.EventRunAborted {
			return []storage.Job{{Args: TeardownArgs{RunID: r.ID}}}
		}
	}
	return nil
}

// DrillCleaner removes a drill run's VMs from the plan's drill folder
// (vsphere.Client implements it).
type DrillCleaner interface {
	TeardownDrill(ctx context.Context, p *plan.Plan, runID string) ([]string, error)
}

// TeardownWorker tears a closed drill down and records what it removed.
type TeardownWorker struct {
	river.WorkerDefaults[TeardownArgs]
	Cleaner  DrillCleaner // nil: no vSphere configured, nothing to remove
	Recorder Recorder
}

// Work removes the drill's VMs and records the result; a failure is
// recorded and retried.
func (w *TeardownWorker) Work(ctx context.Context, job *river.Job[TeardownArgs]) error {
	r, err := w.Recorder.Load(ctx, job.Args.RunID)
	if err != nil {
		return fmt.Errorf("loading run %s: %w", job.Args.RunID, err)
	}
	if !r.Declared.Drill || r.TornDown {
		return nil
	}
	var res plan.DrillTornDown
	if w.Cleaner == nil {
		res.Error = "sin vSphere configurado: no hay nada que retirar"
	} else {
		removed, err := w.Cleaner.TeardownDrill(ctx, r.Plan, r.ID)
		res.Removed = removed
		if err != nil {
			if job.Attempt < job.MaxAttempts && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("tearing down drill %s: %w", r.ID, err)
			}
			res.Error = err.Error()
		}
	}
	return w.Recorder.Record(ctx, r.ID, plan.RecordTeardown{Result: res}, fmt.Sprintf("teardown:%s", r.ID))
}
