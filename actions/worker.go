package actions

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// QueueActions is the River queue restore actions and checks run on.
const QueueActions = "actions"

// ActionArgs is the River job of one action on one checklist item. Attempt
// is the run's attempt (a person's retry makes a new job); River's own
// attempts retry transient failures inside one job.
type ActionArgs struct {
	RunID   string `json:"run_id"`
	Step    string `json:"step"`
	Action  string `json:"action"`
	Target  string `json:"target"`
	Attempt int    `json:"attempt"`
}

// Kind is the River job kind.
func (ActionArgs) Kind() string { return "contingencia.action" }

// InsertOpts makes jobs unique per (run, step, target, attempt): a
// re-delivered command never queues the same work twice.
func (ActionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueActions, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// JobsFor returns the River jobs implied by freshly decided events: one
// action job per action.queued. The bot stores them in the same
// transaction as the events.
func JobsFor(r *plan.Run, events []plan.Event) ([]storage.Job, error) {
	var jobs []storage.Job
	for _, e := range events {
		if e.Type != plan.EventActionQueued {
			continue
		}
		var a plan.ActionEvent
		if err := json.Unmarshal(e.Payload, &a); err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.Type, err)
		}
		jobs = append(jobs, storage.Job{Args: ActionArgs{RunID: r.ID, Step: a.Step, Action: a.Action, Target: a.Target, Attempt: a.Attempt}})
	}
	jobs = append(jobs, teardownJobs(r, events)...)
	// Automatic restore: every scheduled step whose dependencies are now
	// done starts. Jobs are unique, so a step already started is not
	// queued twice.
	if len(events) > 0 {
		for _, it := range r.Items {
			if it.Status == plan.StatusScheduled && r.Ready(it) {
				jobs = append(jobs, storage.Job{Args: ActionArgs{RunID: r.ID, Step: it.Key, Action: it.Step.Action,
					Target: cmp.Or(it.Server, it.Service), Attempt: it.Attempts + 1}})
			}
		}
	}
	return jobs, nil
}

// Recorder records what a worker reports into the run's timeline; the bot
// implements it.
type Recorder interface {
	Load(ctx context.Context, runID string) (*plan.Run, error)
	Record(ctx context.Context, runID string, c plan.Command, key string) error
}

// WorkerConfig configures the action worker.
type WorkerConfig struct {
	Registry *Registry
	Recorder Recorder
	Logger   *slog.Logger
	Now      func() time.Time
	// Timeouts bound one attempt per action kind prefix ("vsphere.",
	// "check."); DefaultTimeout for the rest (10m).
	Timeouts       map[string]time.Duration
	DefaultTimeout time.Duration
}

// ActionWorker runs action jobs: it records the start, runs the executor
// with progress reports, and records the result. Transient errors return
// to River for a retry with backoff; permanent ones end the job at once.
type ActionWorker struct {
	river.WorkerDefaults[ActionArgs]
	cfg WorkerConfig
}

// NewActionWorker returns the worker; register it with river.AddWorker.
func NewActionWorker(cfg WorkerConfig) (*ActionWorker, error) {
	if cfg.Registry == nil || cfg.Recorder == nil {
		return nil, errors.New("actions: worker needs a Registry and a Recorder")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = 10 * time.Minute
	}
	return &ActionWorker{cfg: cfg}, nil
}

// Timeout bounds one attempt of a job by its action kind.
func (w *ActionWorker) Timeout(job *river.Job[ActionArgs]) time.Duration {
	for prefix, d := range w.cfg.Timeouts {
		if strings.HasPrefix(job.Args.Action, prefix) {
			return d
		}
	}
	return w.cfg.DefaultTimeout
}

// Work runs one attempt of an action job.
func (w *ActionWorker) Work(ctx context.Context, job *river.Job[ActionArgs]) error {
	a := job.Args
	log := w.cfg.Logger.With("run", a.RunID, "step", a.Step, "action", a.Action, "job", job.ID, "attempt", job.Attempt)
	r, err := w.cfg.Recorder.Load(ctx, a.RunID)
	if err != nil {
		return fmt.Errorf("loading run %s: %w", a.RunID, err)
	}
	it, ok := r.Item(a.Step)
	if !ok {
		return river.JobCancel(fmt.Errorf("step %s is not on run %s's checklist", a.Step, a.RunID))
	}
	if it.Status != plan.StatusRunning && it.Status != plan.StatusScheduled {
		log.Info("action no longer running: nothing to do", "status", it.Status)
		return nil
	}
	key := func(what string) string { return execKey(job, what) }
	if err := w.cfg.Recorder.Record(ctx, a.RunID, plan.ActionStarted{Step: a.Step, Attempt: job.Attempt, JobID: job.ID,
		Message: fmt.Sprintf("intento %d de %d", job.Attempt, job.MaxAttempts)}, key("start")); err != nil {
		return fmt.Errorf("recording the start: %w", err)
	}
	req, err := RequestFor(r, it)
	if err != nil {
		return w.finish(ctx, log, job, time.Time{}, Result{}, Permanent(err), nil)
	}
	req.Progress = w.progress(ctx, a, key)
	start := w.cfg.Now()
	var dry map[string]string
	if it.Scheduled && len(it.Facts) == 0 && w.plans(it.Step.Action) {
		// Approved for automatic restore, without a dry run: make it now,
		// just before acting, and record what it found (target, copy and
		// its date) with the result.
		pf, planned, err := w.cfg.Registry.Preflight(ctx, req)
		if err != nil {
			return w.finish(ctx, log, job, start, Result{}, err, nil)
		}
		if planned {
			req.Progress(0, pf.Summary)
			dry = pf.Facts
		}
	}
	res, err := w.execute(ctx, req, it)
	return w.finish(ctx, log, job, start, res, err, dry)
}

// plans reports whether kind's executor has a dry run (a service check
// without an action of its own has none).
func (w *ActionWorker) plans(kind string) bool {
	e, ok := w.cfg.Registry.Lookup(kind)
	if !ok {
		return false
	}
	_, planner := e.(Planner)
	return planner
}

// execute runs the item's action, or, for a check step without an action
// of its own, every functional check of the service.
func (w *ActionWorker) execute(ctx context.Context, req Request, it *plan.Item) (Result, error) {
	if it.Step.Action != "" || req.Service == nil {
		return w.cfg.Registry.Execute(ctx, req)
	}
	return RunChecks(ctx, w.cfg.Registry, req)
}

// finish records the outcome; facts are those of a dry run made just
// before acting, if any.
func (w *ActionWorker) finish(ctx context.Context, log *slog.Logger, job *river.Job[ActionArgs], start time.Time, res Result, err error, facts map[string]string) error {
	a := job.Args
	var ms int64
	if !start.IsZero() {
		ms = w.cfg.Now().Sub(start).Milliseconds()
	}
	rec := func(c plan.Command, what string) error {
		// The job's own context may be cancelled already: the record must
		// still be written.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return w.cfg.Recorder.Record(rctx, a.RunID, c, execKey(job, what))
	}
	if err == nil {
		msg := res.Message
		if res.AlreadyDone && msg == "" {
			msg = "ya estaba hecho"
		}
		return rec(plan.ActionFinished{Step: a.Step, OK: true, Message: msg, DurationMS: ms, Attempt: job.Attempt, Facts: facts}, "done")
	}
	last := job.Attempt >= job.MaxAttempts
	switch {
	case IsPermanent(err) || last:
		log.Warn("action failed", "err", err, "permanent", IsPermanent(err))
		if rerr := rec(plan.ActionFinished{Step: a.Step, Error: err.Error(), DurationMS: ms, Attempt: job.Attempt, Facts: facts}, "failed"); rerr != nil {
			return rerr
		}
		return river.JobCancel(err)
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled):
		// Cancelled by a person (the run already says so) or by shutdown
		// (River releases the job to run again).
		return err
	default:
		log.Info("action attempt failed; River retries", "err", err)
		if rerr := rec(plan.ActionProgress{Step: a.Step, Message: fmt.Sprintf("intento %d falló: %v; se reintenta", job.Attempt, err)}, "retry"); rerr != nil {
			return rerr
		}
		return err
	}
}

// execKey keys what one execution of a job records. River keeps the
// attempt number of a job interrupted by a shutdown, so the start time of
// this execution tells two runs of one attempt apart.
func execKey(job *river.Job[ActionArgs], what string) string {
	var at int64
	if job.AttemptedAt != nil {
		at = job.AttemptedAt.UnixNano()
	}
	return fmt.Sprintf("job:%d:%d:%d:%s", job.ID, job.Attempt, at, what)
}

// RequestFor builds the executor request of a checklist item: its action,
// parameters and target, the run's drill flag, and the pre-flight facts a
// person confirmed or approved.
func RequestFor(r *plan.Run, it *plan.Item) (Request, error) {
	req := Request{RunID: r.ID, Step: it.Key, Kind: it.Step.Action, Params: it.Step.Params, Plan: r.Plan, Drill: r.Declared.Drill}
	if it.Server != "" {
		srv, ok := r.Plan.Server(it.Server)
		if !ok {
			return req, fmt.Errorf("server %q is not in the plan", it.Server)
		}
		req.Server = srv
	}
	if it.Service != "" {
		svc, ok := r.Plan.Service(it.Service)
		if !ok {
			return req, fmt.Errorf("service %q is not in the plan", it.Service)
		}
		req.Service = svc
	}
	if len(it.Facts) > 0 {
		req.Approved = &Preflight{Summary: it.Preflight, Facts: it.Facts}
	}
	return req, nil
}

// progress returns a reporter that records progress in steps of at least
// 10% (or a new message), so a long upload does not flood the timeline.
func (w *ActionWorker) progress(ctx context.Context, a ActionArgs, key func(string) string) func(int, string) {
	var mu sync.Mutex
	last, lastMsg := -10, ""
	return func(percent int, msg string) {
		mu.Lock()
		if percent < last+10 && msg == lastMsg && percent != 100 {
			mu.Unlock()
			return
		}
		last, lastMsg = percent, msg
		mu.Unlock()
		if err := w.cfg.Recorder.Record(ctx, a.RunID, plan.ActionProgress{Step: a.Step, Percent: percent, Message: msg},
			key(fmt.Sprintf("progress:%d:%s", percent, msg))); err != nil {
			w.cfg.Logger.Warn("recording progress", "run", a.RunID, "step", a.Step, "err", err)
		}
	}
}

// RunChecks runs every functional check of req.Service and sums them up:
// it fails when any check fails, naming each failure.
func RunChecks(ctx context.Context, reg *Registry, req Request) (Result, error) {
	svc := req.Service
	if len(svc.Checks) == 0 {
		return Result{}, Permanent(fmt.Errorf("el servicio %s no tiene pruebas en el plan", svc.ID))
	}
	var ok []string
	var failed []string
	permanent := false
	for i, c := range svc.Checks {
		creq := req
		creq.Kind, creq.Params, creq.Approved = c.Action, c.Params, nil
		creq.Report(i*100/len(svc.Checks), c.Title.ES)
		res, err := reg.Execute(ctx, creq)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", c.ID, err))
			permanent = permanent || IsPermanent(err)
			continue
		}
		ok = append(ok, fmt.Sprintf("%s: %s", c.ID, res.Message))
	}
	if len(failed) > 0 {
		err := fmt.Errorf("%d de %d pruebas fallaron (%s)", len(failed), len(svc.Checks), strings.Join(failed, "; "))
		if permanent {
			err = Permanent(err)
		}
		return Result{}, err
	}
	return Result{Message: fmt.Sprintf("%d/%d pruebas OK (%s)", len(ok), len(svc.Checks), strings.Join(ok, "; "))}, nil
}
