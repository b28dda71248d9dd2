package slack_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// leader is the first person of the plan's first leader role.
func (e *env) leader() person {
	rl, _ := e.plan.Role(e.plan.Leaders[0])
	return personOf(rl.People[0])
}

// holder is a person holding role in the run, other than the excluded.
func holder(r *plan.Run, roles []string, exclude string) (person, bool) {
	for _, role := range roles {
		for _, p := range r.Holders(role) {
			if p.Slack != "" && p.Slack != exclude {
				return personOf(p), true
			}
		}
	}
	return person{}, false
}

// activate declares a run the way a leader does in Slack: the command
// opens the modal, the modal is submitted. It returns the run id.
func (e *env) activate(tr transport, who person, text, assessment string) string {
	e.tb.Helper()
	before := len(e.ws.Views())
	ans := tr.command(e, who, originChannel, text, e.trigger(), 0)
	if ans.status != 200 || len(ans.body) != 0 {
		e.tb.Fatalf("activar answered %d %s, want 200 and an empty body (the modal opens)", ans.status, ans.body)
	}
	views := e.ws.Views()
	if len(views) != before+1 {
		e.tb.Fatalf("activar opened %d modals, want 1", len(views)-before)
	}
	view := views[len(views)-1]
	values := activationValues(e.tb, view, assessment, strings.HasPrefix(text, "simulacro"))
	ans = tr.interact(e, submitPayload(e.tb, who, view, e.trigger(), values), 0)
	if ans.status != 200 || len(ans.body) != 0 {
		e.tb.Fatalf("submitting the activation answered %d %s, want 200 and an empty body (the modal closes)", ans.status, ans.body)
	}
	e.flush()
	runs, err := e.store.ListRuns(context.Background(), storage.RunFilter{})
	if err != nil || len(runs) == 0 {
		e.tb.Fatalf("no run after activation (err %v)", err)
	}
	return runs[0].RunID
}

// channelOf is the run's Slack channel.
func (e *env) channelOf(runID string) string {
	e.tb.Helper()
	ch, ok := e.load(runID).Channels["slack"]
	if !ok {
		e.tb.Fatalf("%s has no Slack channel", runID)
	}
	return ch.Channel
}

// click presses the button of kind on a step as who, and returns the
// events the click stored.
func (e *env) click(tr transport, who person, runID string, kind bot.ButtonKind, step string) []plan.Event {
	e.tb.Helper()
	channel := e.channelOf(runID)
	b, ok := e.findButton(channel, runID, string(kind), step)
	if !ok {
		e.tb.Fatalf("no %s button for %q in %s's messages", kind, step, runID)
	}
	return e.press(tr, who, channel, runID, b)
}

func (e *env) press(tr transport, who person, channel, runID string, b button) []plan.Event {
	e.tb.Helper()
	before := len(e.events(runID))
	ans := tr.interact(e, e.clickPayload(who, channel, b, e.trigger()), 0)
	if ans.status != 200 || len(ans.body) != 0 {
		e.tb.Fatalf("click %s answered %d %s, want 200 and an empty body", b.value, ans.status, ans.body)
	}
	e.flush()
	return e.events(runID)[before:]
}

// finishAction reports an action's result as the worker would.
func (e *env) finishAction(runID string, it *plan.Item) {
	e.tb.Helper()
	ctx := context.Background()
	attempt := max(it.Attempts, 1)
	key := fmt.Sprintf("worker:%s:%s:%d", runID, it.Key, attempt)
	if _, err := e.bot.Execute(ctx, runID, plan.ActionStarted{Step: it.Key, Attempt: attempt}, key+":started"); err != nil {
		e.tb.Fatal(err)
	}
	if _, err := e.bot.Execute(ctx, runID, plan.ActionFinished{Step: it.Key, OK: true, Message: "listo", DurationMS: 1500,
		Attempt: attempt}, key+":finished"); err != nil {
		e.tb.Fatal(err)
	}
	e.flush()
}

// nextMove is what the driver does next on a run: who presses which
// button on which step (or, for a running action, the worker reports).
func nextMove(r *plan.Run) (kind bot.ButtonKind, it *plan.Item, who person, ok bool) {
	for _, it := range r.Items {
		switch {
		case it.Status.Finished():
			continue
		case it.Status == plan.StatusRunning:
			return "", it, person{}, true
		case it.Status == plan.StatusAwaitingApproval:
			roles := it.Step.Approval
			if len(roles) == 0 {
				roles = r.Plan.Leaders
			}
			who, ok := holder(r, roles, it.RequestedBy.UserID)
			return bot.ButtonApprove, it, who, ok
		case !r.Ready(it):
			continue
		}
		who, ok := holder(r, []string{it.Step.Owner}, "")
		switch {
		case it.Step.Priorities:
			return bot.ButtonPriorities, it, who, ok
		case it.Step.Kind == plan.KindAction || it.Step.Kind == plan.KindCheck:
			return bot.ButtonRun, it, who, ok
		default:
			return bot.ButtonDone, it, who, ok
		}
	}
	return "", nil, person{}, false
}

// driveRun works the checklist to the end through Slack: each step by a
// holder of its role pressing the button the bot rendered, approvals by
// someone other than the requester, action results reported as workers
// would. It fails on any refusal.
func (e *env) driveRun(tr transport, runID string) {
	e.tb.Helper()
	for range 2000 {
		r := e.load(runID)
		if r.AllFinished() {
			return
		}
		kind, it, who, ok := nextMove(r)
		if !ok {
			e.tb.Fatalf("%s is stuck: no step can move", runID)
		}
		if kind == "" {
			e.finishAction(runID, it)
			continue
		}
		evs := e.click(tr, who, runID, kind, it.Key)
		if len(evs) == 0 {
			e.tb.Fatalf("%s on %s by %s stored nothing", kind, it.Key, who.Name)
		}
		if i := slices.IndexFunc(evs, func(ev plan.Event) bool { return ev.Type == plan.EventCommandRefused }); i >= 0 {
			e.tb.Fatalf("%s on %s by %s was refused: %s", kind, it.Key, who.Name, evs[i].Payload)
		}
	}
	e.tb.Fatalf("%s did not finish in 2000 moves", runID)
}
