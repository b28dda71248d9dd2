package bot

import (
	"context"
	"fmt"

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
		preflight, facts, err := b.preflight(ctx, v)
		if err != nil {
			return Reply{Text: tr(lang, "No se pudo preparar la acción: %v", "Could not prepare the action: %v", err), Refused: true}, nil
		}
		if v.Kind == ButtonRun {
			c = plan.RunStep{By: who, Step: v.Step, Preflight: preflight, Facts: facts}
		} else {
			c = plan.RetryStep{By: who, Step: v.Step, Preflight: preflight, Facts: facts}
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

// preflight asks the actions side for the dry-run summary of the step a
// run button would start, when the step is an action.
func (b *Bot) preflight(ctx context.Context, v ButtonValue) (string, map[string]string, error) {
	if b.cfg.Preflight == nil {
		return "", nil, nil
	}
	r, err := b.Load(ctx, v.RunID)
	if err != nil {
		return "", nil, err
	}
	it, ok := r.Item(v.Step)
	if !ok || it.Step.Kind != plan.KindAction {
		return "", nil, nil
	}
	return b.cfg.Preflight(ctx, r, it)
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
