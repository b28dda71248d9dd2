package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
)

// handleCommand serves POST /mattermost/commands: the custom slash
// command, a form verified by its `Authorization: Token …` header.
func (a *Adapter) handleCommand(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	if !tokenOK(r.Header.Get("Authorization"), a.cfg.CommandToken) {
		a.log.Warn("refused a slash command without the command token", "remote", r.RemoteAddr)
		http.Error(w, "invalid or missing command token", http.StatusUnauthorized)
		return
	}
	form, ok := readForm(w, r)
	if !ok {
		return
	}
	o := bot.Origin{Platform: Platform, UserID: form.Get("user_id"), UserName: form.Get("user_name"),
		ChannelID: form.Get("channel_id"), Delivery: delivery(form.Get("trigger_id"))}
	for _, f := range []struct{ name, v string }{{"user_id", o.UserID}, {"user_name", o.UserName}, {"channel_id", o.ChannelID}} {
		if f.v == "" {
			http.Error(w, "missing form field "+f.name, http.StatusBadRequest)
			return
		}
	}
	ctx := r.Context()
	text := form.Get("text")
	in, _ := bot.ParseCommand(text)
	lang := cmpOr(in.Lang, a.bot.Lang()) // the language the adapter's own messages use
	rep, err := a.bot.Command(ctx, o, text)
	if pe := (*bot.ParseError)(nil); errors.As(err, &pe) && rep.Text != "" {
		// Bot.Command returns the parse error along with the reply that
		// explains it: the person is answered, nothing failed.
		err = nil
	}
	if err != nil {
		a.log.Error("handling a slash command", "user", o.UserName, "err", err)
		a.ephemeral(w, internalError(lang), nil)
		return
	}
	if rep.Form != nil {
		// The trigger id lives about 3 s: open the dialog before anything else.
		if err := a.openActivation(ctx, form.Get("trigger_id"), o, rep.Form); err != nil {
			a.log.Warn("opening the activation dialog", "user", o.UserName, "err", err)
			a.ephemeral(w, tr(rep.Form.Lang, "No se pudo abrir el formulario: %s. Intente de nuevo.",
				"Could not open the form: %s. Try again.", errText(err)), nil)
			return
		}
	}
	if rep.File != nil {
		channel := cmpOr(rep.File.Channel, o.ChannelID)
		if err := a.upload(ctx, channel, rep.File); err != nil {
			a.log.Warn("uploading an export", "run", rep.RunID, "err", err)
			a.ephemeral(w, tr(lang, "No se pudo subir el archivo: %s.", "Could not upload the file: %s.", errText(err)), nil)
			return
		}
	}
	a.ephemeral(w, rep.Text, a.render.ephemeralAttachments(rep.Buttons, o.ChannelID, lang))
}

// readForm reads a bounded form body.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body larger than 1 MiB", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "malformed form body: "+err.Error(), http.StatusBadRequest)
		}
		return nil, false
	}
	return r.PostForm, true
}

// ephemeral answers the slash command privately; an empty text and no
// attachments make the server show nothing.
func (a *Adapter) ephemeral(w http.ResponseWriter, text string, atts []*model.MessageAttachment) {
	writeJSON(w, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: markdown(text), Attachments: atts})
}

func tr(lang, es, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

func internalError(lang string) string {
	return tr(lang, "⚠️ Error interno: no se registró nada. Intente de nuevo.", "⚠️ Internal error: nothing was recorded. Try again.")
}

// errText is the user-safe part of an API error.
func errText(err error) string {
	var ae *model.AppError
	if errors.As(err, &ae) && ae.Message != "" {
		return ae.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
