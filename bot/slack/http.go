package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// followUpTimeout bounds the work after an acknowledgement.
const followUpTimeout = 30 * time.Second

// Handler serves Slack's HTTP mode: POST /slack/commands (slash commands)
// and POST /slack/interactions (buttons and modals). Every request must
// carry a valid v0 signature made with the signing secret less than five
// minutes ago; anything else is refused with 401 before the bot sees it.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/interactions", a.serveInteraction)
	return mux
}

// verified reads the body within the size limit and checks its signature.
// On failure it has answered the request and returns ok=false.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body larger than "+strconv.FormatInt(a.cfg.MaxBody, 10)+" bytes", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "reading the request body failed", http.StatusBadRequest)
		return nil, false
	}
	if a.cfg.SigningSecret == "" {
		a.log.Error("a Slack request arrived but SLACK_SIGNING_SECRET is not set")
		http.Error(w, "signature verification is not configured", http.StatusUnauthorized)
		return nil, false
	}
	sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		a.log.Warn("refusing a Slack request with a bad signature", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		reason := "invalid signature"
		if errors.Is(err, slack.ErrExpiredTimestamp) {
			reason = "stale request timestamp (more than 5 minutes off)"
		}
		http.Error(w, reason, http.StatusUnauthorized)
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "body is not a form: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return form, true
}

func retryNum(r *http.Request) int {
	n, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	return n
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	if form.Get("ssl_check") == "1" {
		w.WriteHeader(http.StatusOK) // Slack checking the certificate of the command URL
		return
	}
	c := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"), APIAppID: form.Get("api_app_id"),
	}
	switch {
	case c.UserID == "":
		http.Error(w, "slash command without user_id", http.StatusBadRequest)
		return
	case c.ChannelID == "":
		http.Error(w, "slash command without channel_id", http.StatusBadRequest)
		return
	}
	a.answer(w, r, a.command(r.Context(), c, retryNum(r)))
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	raw := form.Get("payload")
	if raw == "" {
		http.Error(w, "interaction without payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(raw), &cb); err != nil {
		http.Error(w, "interaction payload is not valid JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	out, err := a.interaction(r.Context(), cb, retryNum(r))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.answer(w, r, out)
}

// answer writes the acknowledgement with its length (so the client has it
// all at once), then does the follow-up work on the same goroutine.
func (a *Adapter) answer(w http.ResponseWriter, r *http.Request, out outcome) {
	if out.after != nil {
		a.beginFollowUp()
		defer a.endFollowUp()
	}
	var body []byte
	if out.body != nil {
		var err error
		if body, err = json.Marshal(out.body); err != nil {
			a.log.Error("encoding a Slack answer", "err", err)
			body = nil
		}
	}
	if body != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	if out.after == nil {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), followUpTimeout)
	defer cancel()
	out.after(ctx)
}
