package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
)

// outcome is how the adapter answers a request, whatever the transport:
// body is the JSON of the HTTP response or of the Socket Mode ack (nil:
// an empty acknowledgement); after runs once the answer is sent.
type outcome struct {
	body  any
	after func(ctx context.Context)
	// resend delivers body another way when the transport cannot carry
	// it (a Socket Mode ack is limited to 20 KB).
	resend func(ctx context.Context)
}

// errMalformed marks a request the adapter cannot understand (HTTP 400).
var errMalformed = errors.New("malformed request")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// origin describes who sent a request; the display name comes from the
// plan when the Slack user is one of its people.
func (a *Adapter) origin(userID, userName, channel, delivery string) bot.Origin {
	name := userName
	if p := a.cfg.Bot.Plan(); p != nil {
	roles:
		for _, rl := range p.Roles {
			for _, pp := range rl.People {
				if pp.Slack != "" && pp.Slack == userID {
					name = pp.Name
					break roles
				}
			}
		}
	}
	return bot.Origin{Platform: Platform, UserID: userID, UserName: cmp.Or(name, userID), ChannelID: channel, Delivery: delivery}
}

func (a *Adapter) failure() bot.Reply {
	return bot.Reply{Text: pick(a.cfg.Bot.Lang(), "⚠️ No se pudo completar por un error interno. Intente de nuevo en un momento.",
		"⚠️ That could not be done because of an internal error. Please try again in a moment."), Refused: true}
}

// command handles a slash command. The activation form opens at once
// (the trigger id lasts three seconds); other verbs answer ephemerally in
// the acknowledgement itself.
func (a *Adapter) command(ctx context.Context, c slack.SlashCommand, retry int) outcome {
	o := a.origin(c.UserID, c.UserName, c.ChannelID, c.TriggerID)
	rep, err := a.cfg.Bot.Command(ctx, o, c.Text)
	if err != nil {
		a.log.Error("handling a slash command", "user", c.UserID, "err", err)
		return outcome{body: ephemeral(a.failure())}
	}
	switch {
	case rep.Form != nil:
		if retry > 0 {
			return outcome{} // the first delivery opened it, or its trigger expired
		}
		if err := a.openView(ctx, c.TriggerID, ActivationModal(rep.Form)); err != nil {
			a.log.Error("opening the activation form", "user", c.UserID, "err", err)
			return outcome{body: ephemeral(bot.Reply{Text: pick(rep.Form.Lang, "⚠️ No se pudo abrir el formulario de activación; intente de nuevo.",
				"⚠️ The activation form could not be opened; please try again.")})}
		}
		return outcome{}
	case rep.File != nil:
		file, user, channel, respURL := *rep.File, c.UserID, c.ChannelID, c.ResponseURL
		return outcome{body: ephemeral(rep), after: func(ctx context.Context) {
			if err := a.upload(ctx, file, channel); err != nil {
				a.log.Error("uploading an export", "file", file.Name, "err", err)
				a.tell(ctx, channel, user, respURL, bot.Reply{Text: fmt.Sprintf(pick(a.cfg.Bot.Lang(),
					"⚠️ No se pudo subir la exportación %s; intente de nuevo.", "⚠️ The export %s could not be uploaded; please try again."), file.Name)})
			}
		}}
	case rep.Text == "" && len(rep.Buttons) == 0:
		return outcome{}
	}
	return outcome{body: ephemeral(rep), resend: func(ctx context.Context) { a.tell(ctx, c.ChannelID, c.UserID, c.ResponseURL, rep) }}
}

func (a *Adapter) openView(ctx context.Context, trigger string, v slack.ModalViewRequest) error {
	ctx, cancel := a.call(ctx)
	defer cancel()
	if _, err := a.api.OpenViewContext(ctx, trigger, v); err != nil {
		return slackError("opening a modal", err)
	}
	return nil
}

// interaction handles a block_actions or view_submission payload.
func (a *Adapter) interaction(ctx context.Context, cb slack.InteractionCallback, retry int) (outcome, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return a.blockActions(ctx, cb, retry)
	case slack.InteractionTypeViewSubmission:
		return a.viewSubmission(ctx, cb)
	case slack.InteractionTypeViewClosed:
		return outcome{}, nil
	case "":
		return outcome{}, malformed("interaction payload without a type")
	}
	return outcome{}, malformed("unsupported interaction type %q", cb.Type)
}

func (a *Adapter) blockActions(ctx context.Context, cb slack.InteractionCallback, retry int) (outcome, error) {
	if cb.User.ID == "" {
		return outcome{}, malformed("block_actions payload without a user")
	}
	if len(cb.ActionCallback.BlockActions) == 0 {
		return outcome{}, malformed("block_actions payload without actions")
	}
	act := cb.ActionCallback.BlockActions[0]
	channel := cmp.Or(cb.Channel.ID, cb.Container.ChannelID)
	user, respURL := cb.User.ID, cb.ResponseURL
	o := a.origin(cb.User.ID, cb.User.Name, channel, cb.TriggerID)
	switch kind, _, _ := strings.Cut(act.ActionID, "/"); kind {
	case actionReason:
		if retry > 0 {
			return outcome{}, nil
		}
		lang := a.cfg.Bot.Lang()
		label := act.Text.Text
		if err := a.openView(ctx, cb.TriggerID, ReasonModal(act.Value, label, channel, lang, respURL)); err != nil {
			a.log.Error("opening the reason form", "user", user, "err", err)
			return outcome{after: func(ctx context.Context) { a.tell(ctx, channel, user, respURL, a.failure()) }}, nil
		}
		return outcome{}, nil
	case actionClick:
		rep, err := a.cfg.Bot.Click(ctx, o, act.Value, "")
		if err != nil {
			a.log.Error("handling a click", "user", user, "value", act.Value, "err", err)
			rep = a.failure()
		}
		return a.reply(channel, user, respURL, rep), nil
	}
	return outcome{}, malformed("unknown action id %q", act.ActionID)
}

// reply acknowledges with nothing and sends the reply ephemerally after.
func (a *Adapter) reply(channel, user, respURL string, rep bot.Reply) outcome {
	if rep.Text == "" && len(rep.Buttons) == 0 {
		return outcome{}
	}
	return outcome{after: func(ctx context.Context) { a.tell(ctx, channel, user, respURL, rep) }}
}

func (a *Adapter) viewSubmission(ctx context.Context, cb slack.InteractionCallback) (outcome, error) {
	if cb.User.ID == "" {
		return outcome{}, malformed("view_submission payload without a user")
	}
	o := a.origin(cb.User.ID, cb.User.Name, "", cmp.Or(cb.TriggerID, cb.View.ID))
	switch cb.View.CallbackID {
	case callbackActivate:
		act, errs, err := parseActivation(cb.View)
		if err != nil {
			return outcome{}, malformed("%v", err)
		}
		if errs != nil {
			return outcome{body: slack.NewErrorsViewSubmissionResponse(errs)}, nil
		}
		o.ChannelID = act.Channel
		rep, err := a.cfg.Bot.Activate(ctx, o, act)
		if err != nil {
			a.log.Error("activating", "user", o.UserID, "err", err)
			rep = a.failure()
		}
		if rep.Refused {
			return outcome{body: slack.NewErrorsViewSubmissionResponse(map[string]string{fieldServices: truncate(rep.Text, 2000)})}, nil
		}
		return a.reply(act.Channel, o.UserID, "", rep), nil
	case callbackReason:
		meta, reason, err := parseReason(cb.View)
		if err != nil {
			return outcome{}, malformed("%v", err)
		}
		if strings.TrimSpace(reason) == "" {
			return outcome{body: slack.NewErrorsViewSubmissionResponse(map[string]string{
				fieldReason: pick(meta.Lang, "Escriba el motivo.", "Please write the reason.")})}, nil
		}
		o.ChannelID = meta.Channel
		rep, err := a.cfg.Bot.Click(ctx, o, meta.Value, strings.TrimSpace(reason))
		if err != nil {
			a.log.Error("handling a click with a reason", "user", o.UserID, "err", err)
			rep = a.failure()
		}
		return a.reply(meta.Channel, o.UserID, meta.ResponseURL, rep), nil
	}
	return outcome{}, malformed("unknown modal %q", cb.View.CallbackID)
}
