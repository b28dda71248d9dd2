package mattermost

import (
	"context"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
)

// handleAction serves POST /mattermost/actions: a click on a button of
// the bot. The request carries no authentication: the MAC in the
// context, bound to the channel it was rendered for, is the only proof
// the button is the bot's own.
func (a *Adapter) handleAction(w http.ResponseWriter, r *http.Request) {
	var req model.PostActionIntegrationRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.UserId == "" {
		http.Error(w, "missing user_id", http.StatusBadRequest)
		return
	}
	c, err := a.sign.open(req.Context)
	if err == nil && c.Channel != req.ChannelId {
		err = errForged
	}
	if err == nil {
		if v, perr := bot.ParseButtonValue(c.Action); perr != nil || v.RunID != c.Run || v.Step != c.Step {
			err = errForged
		}
	}
	if err != nil {
		a.log.Warn("refused a button click with a forged or moved context", "user", req.UserId, "channel", req.ChannelId)
		http.Error(w, "button context not signed by this bot", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	name, err := a.userName(ctx, req)
	if err != nil {
		a.log.Warn("reading the user of a click", "user", req.UserId, "err", err)
		writeJSON(w, model.PostActionIntegrationResponse{EphemeralText: internalError(c.Lang)})
		return
	}
	o := bot.Origin{Platform: Platform, UserID: req.UserId, UserName: name, ChannelID: req.ChannelId, Delivery: delivery(req.TriggerId)}
	if c.Mode != modeDirect {
		if err := a.openClickDialog(ctx, req.TriggerId, o, c); err != nil {
			a.log.Warn("opening a confirmation dialog", "user", name, "err", err)
			writeJSON(w, model.PostActionIntegrationResponse{EphemeralText: tr(c.Lang, "No se pudo abrir el diálogo: %s. Intente de nuevo.",
				"Could not open the dialog: %s. Try again.", errText(err))})
			return
		}
		writeJSON(w, model.PostActionIntegrationResponse{})
		return
	}
	rep, err := a.bot.Click(ctx, o, c.Action, "")
	if err != nil {
		a.log.Error("handling a click", "user", name, "action", c.Action, "err", err)
		writeJSON(w, model.PostActionIntegrationResponse{EphemeralText: internalError(c.Lang)})
		return
	}
	if len(rep.Buttons) == 1 && !rep.Refused {
		// A dry run to review: Mattermost shows buttons only in a dialog
		// here (a bot may not post ephemerally).
		b := rep.Buttons[0]
		review := c
		review.Mode, review.Text, review.Action, review.Label, review.OK = modeConfirm, rep.Text, b.Value.String(), b.Label, b.Label
		if err := a.openClickDialog(ctx, req.TriggerId, o, review); err != nil {
			a.log.Warn("opening a review dialog", "user", name, "err", err)
			writeJSON(w, model.PostActionIntegrationResponse{EphemeralText: markdown(rep.Text)})
			return
		}
		writeJSON(w, model.PostActionIntegrationResponse{})
		return
	}
	writeJSON(w, model.PostActionIntegrationResponse{EphemeralText: markdown(rep.Text)})
}

// userName is the clicking user's username: from the request (servers
// since 5.x send user_name), else read from the API.
func (a *Adapter) userName(ctx context.Context, req model.PostActionIntegrationRequest) (string, error) {
	if req.UserName != "" {
		return req.UserName, nil
	}
	var u *model.User
	err := a.call(ctx, func(ctx context.Context) (err error) {
		u, _, err = a.client.GetUser(ctx, req.UserId, "")
		return err
	})
	if err != nil {
		return "", err
	}
	return u.Username, nil
}
