package actions

import (
	"context"

	"github.com/contingencia/contingencia/plan"
)

// Request is one execution of an action on one target.
type Request struct {
	RunID string
	Step  string // checklist item key, e.g. "restore-ovf/deploy@db-quipux"
	Kind  string // action kind, e.g. "vsphere.deploy_ovf"
	// Params are the step's (or check's) parameters as the plan wrote
	// them, or as they came back from a job's JSON arguments.
	Params map[string]any

	Plan    *plan.Plan
	Server  *plan.Server  // target of server-scoped actions
	Service *plan.Service // target of service-scoped actions (and context for readiness)
	// Drill marks a drill run: only the plan's drill targets may be touched.
	Drill bool

	// Approved is the pre-flight a person confirmed or approved, if any:
	// Registry.Execute refuses when the facts changed since.
	Approved *Preflight

	// Progress receives progress reports (0–100); it may be nil.
	Progress func(percent int, msg string)
}

// Report sends a progress report when the request has a Progress func.
func (r Request) Report(percent int, msg string) {
	if r.Progress != nil {
		r.Progress(min(max(percent, 0), 100), msg)
	}
}

// Target names the request's target for messages: the server or service id.
func (r Request) Target() string {
	switch {
	case r.Server != nil:
		return r.Server.ID
	case r.Service != nil:
		return r.Service.ID
	}
	return ""
}

// Result is the readable outcome of an action, for the checklist and the
// timeline.
type Result struct {
	// Message is a one-line summary in Spanish, e.g. "HTTP 200 en 12ms;
	// certificado válido 89 días".
	Message string
	// Details are machine-readable facts of the outcome (JSON-friendly).
	Details map[string]any
	// AlreadyDone says the executor found the work already done (a retried
	// or re-delivered job) and did not act again.
	AlreadyDone bool
}

// Preflight is what a destructive action will do, computed without doing
// it (a dry run).
type Preflight struct {
	// Summary is the readable text shown in confirmation and approval
	// messages: target, host or cluster, datastore, current power state,
	// the age of the snapshot or copy (the data that would be lost).
	Summary string
	// Facts are the stable values the summary rests on (paths, states,
	// timestamps — never relative ages), re-checked before executing.
	Facts map[string]string
	// AlreadyDone says the action's outcome is already there (this step
	// did it, e.g. before a worker died, or the VM already is off): there
	// is nothing to approve, and a re-delivered job must not be refused as
	// stale — the executor reports "already done".
	AlreadyDone bool
}

// Executor carries out one action kind. Implementations must be safe for
// concurrent use and idempotent: before acting they look at the world, so
// that a retried job does not act twice.
type Executor interface {
	Execute(ctx context.Context, req Request) (Result, error)
}

// Planner is implemented by destructive executors: Preflight is their dry
// run. It must not change anything.
type Planner interface {
	Preflight(ctx context.Context, req Request) (Preflight, error)
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, req Request) (Result, error)

// Execute calls f.
func (f ExecutorFunc) Execute(ctx context.Context, req Request) (Result, error) { return f(ctx, req) }
