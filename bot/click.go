package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"

	"github.com/contingencia/contingencia/plan"
)

// Click handles a button press. value is the button's payload as the bot
// rendered it; reason is what the person typed for skip and reject.
func (b *Bot) Click(ctx context.Context, o Origin, value, reason string) (Reply, error) {
	start := b.cfg.Now()
	v, err := ParseButtonValue(value)
	lang := b.lang(o, "")
	if err != nil {
		rep := Reply{Text: tr(lang, "Botón no reconocido.", "Unrecognised button."), Refused: true}
		b.observe("click", "invalid", rep, nil, start)
		return rep, nil
	}
	rep, err := b.click(ctx, o, v, reason, lang)
	b.observe("click", string(v.Kind), rep, err, start)
	return rep, err
}

func (b *Bot) click(ctx context.Context, o Origin, v ButtonValue, reason, lang string) (Reply, error) {
	who := plan.By{Who: o.Actor()}
	var c plan.Command
	switch v.Kind {
	case ButtonStart:
		c = plan.StartStep{By: who, Step: v.Step}
	case ButtonDone:
		c = plan.CompleteStep{By: who, Step: v.Step}
	case ButtonSkip:
		c = plan.SkipStep{By: who, Step: v.Step, Reason: reason}
	case ButtonRun, ButtonRetry:
		d, err := b.prepare(ctx, who, v)
		if err != nil {
			return Reply{Text: tr(lang, "No se pudo preparar la acción: %v", "Could not prepare the action: %v", err), Refused: true}, nil
		}
		c = d.command
		// Only someone the plan lets run it now sees the dry run; anyone
		// else goes on to the refusal, recorded like every refusal.
		if d.review {
			if rep, ok := reviewFirst(v, d.summary, d.facts, lang); !ok {
				return rep, nil
			}
		}
	case ButtonCancel:
		c = plan.CancelAction{By: who, Step: v.Step}
	case ButtonApprove:
		c = plan.Approve{By: who, Step: v.Step}
	case ButtonReject:
		c = plan.Reject{By: who, Step: v.Step, Reason: reason}
	case ButtonPriorities:
		c = plan.ConfirmPriorities{By: who, Step: v.Step}
	case ButtonAck:
		c = plan.Acknowledge{By: who, Role: v.Step}
	case ButtonClose:
		c = plan.Close{By: who}
	case ButtonAuto:
		var keys []string
		if err := b.read(ctx, v.RunID, func(r *plan.Run) error {
			keys = AutoRestoreSteps(r)
			return nil
		}); err != nil {
			return Reply{}, err
		}
		c = plan.Schedule{By: who, Steps: keys}
	}
	// One rendered button pressed twice by one person is one delivery.
	key := fmt.Sprintf("click:%s:%s:%s", o.Platform, o.UserID, v)
	if v.Kind == ButtonApproveAll {
		return b.approveAll(ctx, o, v, key, lang)
	}
	out, err := b.Execute(ctx, v.RunID, c, key)
	if err != nil {
		return Reply{}, err
	}
	if out.Refusal != nil {
		return b.refusal(out.Refusal, lang), nil
	}
	if v.Kind == ButtonCancel && b.cfg.Cancel != nil && len(out.Events) > 0 {
		var a plan.ActionEvent
		if err := jsonUnmarshal(out.Events[0].Payload, &a); err == nil && a.JobID != 0 {
			if err := b.cfg.Cancel(ctx, a.JobID); err != nil {
				b.log.Warn("cancelling action job", "run", v.RunID, "user", o.UserID, "step", v.Step, "job", a.JobID, "err", err)
			}
		}
	}
	rep := Reply{RunID: v.RunID}
	switch v.Kind {
	case ButtonAck:
		rep.Text = tr(lang, "✅ Acuse registrado. Gracias.", "✅ Acknowledged. Thank you.")
	case ButtonClose:
		rep.Text = tr(lang, "✅ %s cerrada.", "✅ %s closed.", v.RunID)
	case ButtonAuto:
		rep.Text = tr(lang, "⚡ Restauración automática programada.", "⚡ Automatic restore scheduled.")
	}
	return rep, nil
}

// prepared is a run or retry press with its dry run.
type prepared struct {
	command plan.Command // RunStep or RetryStep, with the dry run
	summary string
	facts   map[string]string
	// review: the person must see the dry run before the action starts.
	// No approver will (the step needs no approval), there is something
	// to see, and the plan accepts the press now (role, state,
	// prerequisites).
	review bool
}

// prepare asks the actions side for the dry run of the step a run or
// retry button would start, when the step is an action. It works on a
// copy of the run read from the store: the dry run talks to vCenter and
// must not hold the run's lock.
func (b *Bot) prepare(ctx context.Context, who plan.By, v ButtonValue) (prepared, error) {
	var d prepared
	var r *plan.Run
	var it *plan.Item
	if b.cfg.Preflight != nil {
		var err error
		if r, err = b.Load(ctx, v.RunID); err != nil {
			return d, err
		}
		if i, ok := r.Item(v.Step); ok && i.Step.Kind == plan.KindAction {
			it = i
			if d.summary, d.facts, err = b.cfg.Preflight(ctx, r, it); err != nil {
				return d, err
			}
		}
	}
	if v.Kind == ButtonRetry {
		d.command = plan.RetryStep{By: who, Step: v.Step, Preflight: d.summary, Facts: d.facts}
	} else {
		d.command = plan.RunStep{By: who, Step: v.Step, Preflight: d.summary, Facts: d.facts}
	}
	if it != nil && d.summary != "" && len(it.Step.Approval) == 0 {
		_, err := plan.Decide(r, d.command, b.cfg.Now().UTC())
		d.review = err == nil
	}
	return d, nil
}

// Review returns the dry run a run or retry button shows before it acts,
// and the button value that acts once it was seen; ok is false when there
// is nothing to review (no dry run, an approver will see it, or the plan
// would refuse the press). For platforms that confirm in a dialog.
func (b *Bot) Review(ctx context.Context, o Origin, value string) (summary, reviewed string, ok bool) {
	v, err := ParseButtonValue(value)
	if err != nil || v.Reviewed != "" || v.Kind != ButtonRun && v.Kind != ButtonRetry {
		return "", "", false
	}
	d, err := b.prepare(ctx, plan.By{Who: o.Actor()}, v)
	if err != nil || !d.review {
		return "", "", false
	}
	v.Reviewed = factsDigest(d.facts)
	return d.summary, v.String(), true
}

// reviewFirst shows the dry run of an action no approver will see, with
// the button that runs it; ok when the press already carries the digest
// of these very facts. Facts that changed since are shown again.
func reviewFirst(v ButtonValue, summary string, facts map[string]string, lang string) (rep Reply, ok bool) {
	d := factsDigest(facts)
	if v.Reviewed == d {
		return Reply{}, true
	}
	text := tr(lang, "Antes de ejecutar, revise: %s", "Before running, review: %s", summary)
	if v.Reviewed != "" {
		text = tr(lang, "Los datos cambiaron desde el resumen que vio. Ahora: %s", "The facts changed since the summary you saw. Now: %s", summary)
	}
	v.Reviewed = d
	return Reply{Text: text, Buttons: []Button{{Label: tr(lang, "Ejecutar", "Run"), Style: "danger", Value: v}}}, false
}

// factsDigest is a short digest of dry-run facts, in key order.
func factsDigest(facts map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(facts)) {
		fmt.Fprintf(h, "%s=%s\n", k, facts[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// approveAll approves each step of automatic restore awaiting approval,
// one recorded approval per step; the first refusal stops it and says why.
func (b *Bot) approveAll(ctx context.Context, o Origin, v ButtonValue, key, lang string) (Reply, error) {
	var keys []string
	if err := b.read(ctx, v.RunID, func(r *plan.Run) error {
		keys = ScheduledApprovals(r)
		return nil
	}); err != nil {
		return Reply{}, err
	}
	for i, step := range keys {
		out, err := b.Execute(ctx, v.RunID, plan.Approve{By: plan.By{Who: o.Actor()}, Step: step}, key+"#"+step)
		if err != nil {
			return Reply{}, err
		}
		if out.Refusal != nil {
			rep := b.refusal(out.Refusal, lang)
			if i > 0 {
				rep.Text = tr(lang, "%d aprobados; luego: %s", "%d approved; then: %s", i, rep.Text)
			}
			return rep, nil
		}
	}
	return Reply{RunID: v.RunID, Text: tr(lang, "✅ %d pasos aprobados.", "✅ %d steps approved.", len(keys))}, nil
}
