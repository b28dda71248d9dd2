// Package actions runs the executable steps of a contingency plan: the
// vSphere restore actions, the functional checks of the test phase and the
// readiness checks of seed §8.1.
//
// An [Executor] carries out one action kind for one target (a server or a
// service of the plan) and returns a readable [Result] for the checklist and
// the timeline. Destructive executors also implement [Planner]: their dry
// run produces the [Preflight] shown in confirmation and approval messages,
// and its facts are re-checked just before executing ([CompareFacts]), so
// that an approval given for one state of the world is not used on another.
//
// Errors are classified: [Permanent] errors (a missing VM, a check that
// found the service wrong, a stale approval, a drill aimed at production)
// fail the job at once with their reason; every other error is transient
// and worth a retry with backoff. A job worker maps them as:
//
//	res, err := registry.Execute(ctx, req)
//	if actions.IsPermanent(err) { return river.JobCancel(err) }
//	return err // retried
//
// In a drill ([Request.Drill]) vSphere executors only ever touch the plan's
// drill folder and network; [GuardDrill] refuses anything else.
//
// The executors themselves live in adapter packages (actions/vsphere,
// actions/check) that contribute them through a [Provider];
// [NewDefaultRegistry] assembles them.
package actions
