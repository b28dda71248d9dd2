package mattermost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/bot/mattermost/mmtest"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// small starts the small plan on SQLite with one declared run.
func small(t *testing.T) (*fixture, string, string) {
	t.Helper()
	f := setup(t, "small.yaml", sqliteStore(t))
	runID := f.activate(t, f.users["ana.lider"], []any{"portal", "api"})
	return f, runID, f.runChannel(t, runID)
}

func TestCommandToken(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	ana := f.users["ana.lider"]
	tests := []struct {
		name, auth string
	}{
		{"wrong token", "Token not-the-token"},
		{"missing header", ""},
		{"bearer scheme", "Bearer " + commandToken},
		{"token prefix only", "Token " + commandToken[:5]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.mm.CommandRaw(f.srv.URL+CommandsPath, tt.auth, f.mm.CommandForm(ana, f.town, "activar portal"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", res.Status)
			}
		})
	}
	t.Run("token in the form only is not enough", func(t *testing.T) {
		form := f.mm.CommandForm(ana, f.town, "activar portal")
		form.Set("token", commandToken)
		res, err := f.mm.CommandRaw(f.srv.URL+CommandsPath, "", form)
		if err != nil || res.Status != http.StatusUnauthorized {
			t.Fatalf("status %d (%v), want 401", res.Status, err)
		}
	})
	if d := f.mm.Dialogs(ana.Id); len(d) != 0 {
		t.Fatalf("a refused command opened %d dialogs", len(d))
	}
	if runs, err := f.store.ListRuns(f.ctx, storage.RunFilter{}); err != nil || len(runs) != 0 {
		t.Fatalf("refused commands stored runs: %v %v", runs, err)
	}
}

func TestMalformedRequests(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	big := bytes.Repeat([]byte("a"), MaxBody+1)
	form := func(drop string) string {
		v := f.mm.CommandForm(f.users["ana.lider"], f.town, "estado")
		v.Del(drop)
		return v.Encode()
	}
	tests := []struct {
		name, method, path, ctype string
		body                      []byte
		want                      int
	}{
		{"command by GET", http.MethodGet, CommandsPath, "", nil, http.StatusMethodNotAllowed},
		{"command without user_id", http.MethodPost, CommandsPath, "application/x-www-form-urlencoded", []byte(form("user_id")), http.StatusBadRequest},
		{"command without channel_id", http.MethodPost, CommandsPath, "application/x-www-form-urlencoded", []byte(form("channel_id")), http.StatusBadRequest},
		{"command over 1 MiB", http.MethodPost, CommandsPath, "application/x-www-form-urlencoded", append([]byte("text="), big...), http.StatusRequestEntityTooLarge},
		{"command with a broken form", http.MethodPost, CommandsPath, "application/x-www-form-urlencoded", []byte("text=%zz"), http.StatusBadRequest},
		{"action by GET", http.MethodGet, ActionsPath, "", nil, http.StatusMethodNotAllowed},
		{"action not JSON", http.MethodPost, ActionsPath, "application/json", []byte("{not json"), http.StatusBadRequest},
		{"action without user", http.MethodPost, ActionsPath, "application/json", []byte(`{"context":{}}`), http.StatusBadRequest},
		{"action without context", http.MethodPost, ActionsPath, "application/json", []byte(`{"user_id":"u1"}`), http.StatusUnauthorized},
		{"action context of wrong types", http.MethodPost, ActionsPath, "application/json", []byte(`{"user_id":"u1","context":{"run":1}}`), http.StatusUnauthorized},
		{"action over 1 MiB", http.MethodPost, ActionsPath, "application/json", big, http.StatusRequestEntityTooLarge},
		{"dialog not JSON", http.MethodPost, DialogsPath, "application/json", []byte(`[1,2`), http.StatusBadRequest},
		{"dialog without state", http.MethodPost, DialogsPath, "application/json", []byte(`{"user_id":"u1","callback_id":"activate"}`), http.StatusUnauthorized},
		{"dialog over 1 MiB", http.MethodPost, DialogsPath, "application/json", big, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("Authorization", "Token "+commandToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestForgedButtons(t *testing.T) {
	f, runID, ch := small(t)
	diego := f.users["diego.sistemas"]
	b, ok := f.find(ch, nil, bot.ButtonStart, "evaluacion/evaluar")
	if !ok {
		t.Fatal("no start button")
	}
	before := people(f.events(t, runID))
	other := newSigner("another secret", "", "")
	tests := []struct {
		name  string
		alter func(req *model.PostActionIntegrationRequest)
	}{
		{"action altered", func(r *model.PostActionIntegrationRequest) {
			r.Context["action"] = strings.Replace(r.Context["action"].(string), "|start|", "|done|", 1)
		}},
		{"step altered", func(r *model.PostActionIntegrationRequest) { r.Context["step"] = "pruebas/cerrar" }},
		{"mac removed", func(r *model.PostActionIntegrationRequest) { delete(r.Context, "mac") }},
		{"mac of another key", func(r *model.PostActionIntegrationRequest) {
			c, _ := f.ad.sign.open(r.Context)
			r.Context = other.sign(c)
		}},
		{"extra key", func(r *model.PostActionIntegrationRequest) { r.Context["admin"] = "1" }},
		{"moved to another channel", func(r *model.PostActionIntegrationRequest) { r.ChannelId = f.town.Id }},
		{"mode changed", func(r *model.PostActionIntegrationRequest) { r.Context["mode"] = modeReason }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := f.mm.ActionRequest(diego, b.post, b.action)
			ctx := map[string]any{}
			for k, v := range req.Context {
				ctx[k] = v
			}
			req.Context = ctx
			tt.alter(&req)
			res, err := f.mm.ClickRaw(b.action.Integration.URL, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", res.Status)
			}
		})
	}
	if after := people(f.events(t, runID)); after != before {
		t.Fatalf("forged clicks stored %d events", after-before)
	}
}

func TestRepeatedClicks(t *testing.T) {
	f, runID, ch := small(t)
	diego := f.users["diego.sistemas"]
	b, _ := f.find(ch, nil, bot.ButtonStart, "evaluacion/evaluar")
	t.Run("a replayed request and a double click change nothing twice", func(t *testing.T) {
		before := people(f.events(t, runID))
		req := f.mm.ActionRequest(diego, b.post, b.action)
		for range 2 {
			if res, err := f.mm.ClickRaw(b.action.Integration.URL, req); err != nil || res.Status != 200 {
				t.Fatalf("click: %d %v", res.Status, err)
			}
		}
		// A late click on the post as first rendered: the server looks the
		// action up in the post as it is now, where it may be gone.
		if res, err := f.mm.Click(diego, b.post.Id, b.action.Id); err == nil && res.Status != 200 {
			t.Fatalf("click: %d", res.Status)
		}
		if got := people(f.events(t, runID)) - before; got != 1 {
			for _, e := range f.events(t, runID)[before:] {
				t.Logf("%d %s %s %s", e.Seq, e.Type, e.IdempotencyKey, e.Payload)
			}
			t.Fatalf("three deliveries of one click stored %d events, want 1", got)
		}
	})
	f.flush(t)
	t.Run("a replay after the step moved on changes nothing", func(t *testing.T) {
		f.press(t, diego, ch, bot.ButtonDone, "evaluacion/evaluar", "")
		f.flush(t)
		before := people(f.events(t, runID))
		res, err := f.mm.ClickRaw(b.action.Integration.URL, f.mm.ActionRequest(diego, b.post, b.action))
		if err != nil || res.Status != 200 {
			t.Fatalf("click: %d %v", res.Status, err)
		}
		if after := people(f.events(t, runID)); after != before {
			t.Fatalf("the replay stored %d events", after-before)
		}
		if it, _ := f.load(t, runID).Item("evaluacion/evaluar"); it.Status != plan.StatusDone {
			t.Fatalf("step is %s after the replay", it.Status)
		}
	})
}

// people counts the events people caused (not the bot's bookkeeping of
// channels and messages, which the publisher appends on its own).
func people(evs []plan.Event) int {
	n := 0
	for _, e := range evs {
		if e.Type != plan.EventMessagePosted && e.Type != plan.EventChannelCreated {
			n++
		}
	}
	return n
}

func TestClickWithoutTheRole(t *testing.T) {
	f, runID, ch := small(t)
	carla := f.users["carla.datos"]
	text := f.press(t, carla, ch, bot.ButtonStart, "evaluacion/evaluar", "")
	if !strings.HasPrefix(text, "⛔") {
		t.Fatalf("a click without the role answered %q", text)
	}
	evs := f.events(t, runID)
	last := evs[len(evs)-1]
	if last.Type != plan.EventCommandRefused || last.Actor.Name != "carla.datos" || last.Actor.UserID != carla.Id {
		t.Fatalf("last event %s by %+v, want the refusal recorded for carla", last.Type, last.Actor)
	}
	if it, _ := f.load(t, runID).Item("evaluacion/evaluar"); it.Status != plan.StatusPending {
		t.Fatalf("step is %s", it.Status)
	}
}

func TestApprovals(t *testing.T) {
	f, runID, ch := small(t)
	ana, beto := f.users["ana.lider"], f.users["beto.suplente"]
	f.press(t, f.users["diego.sistemas"], ch, bot.ButtonDone, "evaluacion/evaluar", "")
	f.flush(t)
	status := func() plan.Status {
		it, _ := f.load(t, runID).Item("evaluacion/activar")
		return it.Status
	}
	f.press(t, ana, ch, bot.ButtonDone, "evaluacion/activar", "")
	f.flush(t)
	if s := status(); s != plan.StatusAwaitingApproval {
		t.Fatalf("after the request: %s", s)
	}
	t.Run("the requester cannot approve", func(t *testing.T) {
		text := f.press(t, ana, ch, bot.ButtonApprove, "evaluacion/activar", "")
		if !strings.Contains(text, "⛔") {
			t.Fatalf("self-approval answered %q", text)
		}
		if s := status(); s != plan.StatusAwaitingApproval {
			t.Fatalf("after self-approval: %s", s)
		}
	})
	t.Run("a rejection needs a reason", func(t *testing.T) {
		text := f.press(t, beto, ch, bot.ButtonReject, "evaluacion/activar", "  ")
		if text == "" || status() != plan.StatusAwaitingApproval {
			t.Fatalf("empty reason answered %q, step %s", text, status())
		}
		if text := f.press(t, beto, ch, bot.ButtonReject, "evaluacion/activar", "falta el informe del proveedor"); text != "" {
			t.Fatalf("rejection answered %q", text)
		}
		it, _ := f.load(t, runID).Item("evaluacion/activar")
		if it.Status != plan.StatusPending || it.Reason != "falta el informe del proveedor" {
			t.Fatalf("after rejection: %s %q", it.Status, it.Reason)
		}
	})
	f.flush(t)
	t.Run("another leader approves", func(t *testing.T) {
		f.press(t, ana, ch, bot.ButtonDone, "evaluacion/activar", "")
		f.flush(t)
		if text := f.press(t, beto, ch, bot.ButtonApprove, "evaluacion/activar", ""); text != "" {
			t.Fatalf("approval answered %q", text)
		}
		if s := status(); s != plan.StatusDone {
			t.Fatalf("after approval: %s", s)
		}
	})
}

func TestUpdatesCatchUpAfterRateLimit(t *testing.T) {
	f, runID, ch := small(t)
	f.mm.RateLimit(http.MethodPut, "/api/v4/posts/", 2, 1)
	f.press(t, f.users["diego.sistemas"], ch, bot.ButtonStart, "evaluacion/evaluar", "")
	f.flush(t)
	r := f.load(t, runID)
	msg := r.Messages[Platform+"/assessing"]
	post := f.mm.Post(msg.Ref)
	if post == nil || !strings.Contains(post.Attachments()[1].Text, "en curso") {
		t.Fatalf("the checklist did not catch up after the 429s: %+v", post)
	}
	n := 0
	for _, c := range f.mm.Calls() {
		if strings.HasPrefix(c, "PUT /api/v4/posts/") {
			n++
		}
	}
	if n < 3 {
		t.Fatalf("%d updates sent, want the 2 refused ones and a retry", n)
	}
}

func TestDeletedPostIsPostedAgain(t *testing.T) {
	f, runID, ch := small(t)
	header := f.load(t, runID).Messages[Platform+"/header"].Ref
	f.mm.DeletePost(header)
	f.press(t, f.users["diego.sistemas"], ch, bot.ButtonStart, "evaluacion/evaluar", "")
	f.flush(t)
	now := f.load(t, runID).Messages[Platform+"/header"].Ref
	if now == header || now == "" {
		t.Fatalf("header %s was not posted again", header)
	}
	if p := f.mm.Post(now); p == nil || !p.IsPinned || p.ChannelId != ch {
		t.Fatalf("new header %+v", p)
	}
}

func TestDialogSubmissions(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	ana := f.users["ana.lider"]
	f.command(t, ana, f.town, "simulacro portal")
	d := f.mm.Dialogs(ana.Id)[0]
	good := func() map[string]any {
		return map[string]any{fieldServices: []any{"portal"}, fieldStrategy: "ovf", fieldAssessment: "prueba", fieldDrill: true}
	}
	t.Run("the dialog is pre-filled", func(t *testing.T) {
		for _, el := range d.Request.Dialog.Elements {
			if el.Name == fieldServices && el.Default != "portal" || el.Name == fieldDrill && el.Default != "true" {
				t.Fatalf("%s default %q", el.Name, el.Default)
			}
		}
	})
	tests := []struct {
		name   string
		user   *model.User
		alter  func(r *model.SubmitDialogRequest)
		status int
		field  string
	}{
		{"cancelled", ana, func(r *model.SubmitDialogRequest) { r.Cancelled, r.Submission = true, nil }, 200, ""},
		{"state forged", ana, func(r *model.SubmitDialogRequest) { r.State = strings.Replace(r.State, ".", "x.", 1) }, 401, ""},
		{"state of another user", f.users["beto.suplente"], nil, 401, ""},
		{"callback changed", ana, func(r *model.SubmitDialogRequest) { r.CallbackId = callbackClick }, 401, ""},
		{"unknown service", ana, func(r *model.SubmitDialogRequest) { r.Submission[fieldServices] = []any{"correo"} }, 200, fieldServices},
		{"no service", ana, func(r *model.SubmitDialogRequest) { r.Submission[fieldServices] = []any{} }, 200, fieldServices},
		{"services of the wrong type", ana, func(r *model.SubmitDialogRequest) { r.Submission[fieldServices] = 7.0 }, 200, fieldServices},
		{"unknown strategy", ana, func(r *model.SubmitDialogRequest) { r.Submission[fieldStrategy] = "magia" }, 200, fieldStrategy},
		{"drill of the wrong type", ana, func(r *model.SubmitDialogRequest) { r.Submission[fieldDrill] = "quizá" }, 200, fieldDrill},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := f.mm.SubmitRequest(tt.user, d, good())
			if tt.alter != nil {
				tt.alter(&req)
			}
			res, err := f.mm.SubmitRaw(d.Request.URL, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d", res.Status, tt.status)
			}
			if tt.field != "" && res.Response.Errors[tt.field] == "" {
				t.Fatalf("no error on %s: %+v", tt.field, res.Response)
			}
		})
	}
	if runs, _ := f.store.ListRuns(f.ctx, storage.RunFilter{}); len(runs) != 0 {
		t.Fatalf("refused submissions stored %d runs", len(runs))
	}
	t.Run("a submission accepted twice declares one drill", func(t *testing.T) {
		sub := good()
		sub[fieldServices] = "portal, api" // a server without multi-select sends one string
		for range 2 {
			res, err := f.mm.Submit(ana, d, sub)
			if err != nil || res.Status != 200 || res.Response.Error != "" || len(res.Response.Errors) > 0 {
				t.Fatalf("submit: %d %+v %v", res.Status, res.Response, err)
			}
		}
		runs, _ := f.store.ListRuns(f.ctx, storage.RunFilter{})
		if len(runs) != 1 || !runs[0].Drill || len(runs[0].Services) != 2 {
			t.Fatalf("runs %+v", runs)
		}
	})
}

func TestCommands(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	zoe := f.users["zoe.extrana"]
	tests := []struct {
		name, text, want string
		user             *model.User
	}{
		{"help", "ayuda", "Órdenes de", f.users["ana.lider"]},
		{"help in English", "help", "commands", f.users["ana.lider"]},
		{"unknown verb answers with help", "reiniciar", "No entiendo", f.users["ana.lider"]},
		{"activation by someone who is not a leader", "activar", "⛔", zoe},
		{"status without runs", "estado", "No hay ninguna contingencia abierta", zoe},
		{"bad arguments", "exportar docx", "Formato desconocido", zoe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.command(t, tt.user, f.town, tt.text)
			if res.Response.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(res.Response.Text, tt.want) {
				t.Fatalf("answered %q (%s), want %q", res.Response.Text, res.Response.ResponseType, tt.want)
			}
		})
	}
	if len(f.mm.Dialogs(zoe.Id)) != 0 {
		t.Fatal("a refused activation opened a dialog")
	}
}

// TestUntrustedInternalConnections shows why the server needs
// AllowedUntrustedInternalConnections for a bot on an internal address,
// and how its entries match (the bot listens on 127.0.0.1 here).
func TestUntrustedInternalConnections(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	tests := []struct {
		setting string
		allowed bool
	}{
		{"", false},
		{"localhost", false}, // the URL names 127.0.0.1: hostnames match as written
		{"10.0.0.0/8", false},
		{"127.0.0.1", true}, // an address written in the URL matches as is
		{"127.0.0.1/32", true},
		{"contingencia 127.0.0.0/8", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.setting), func(t *testing.T) {
			f.mm.AllowUntrustedInternalConnections(tt.setting)
			_, err := f.mm.Command(f.srv.URL+CommandsPath, commandToken, f.users["ana.lider"], f.town, "ayuda")
			if got := !errors.Is(err, mmtest.ErrAddressForbidden); got != tt.allowed || (tt.allowed && err != nil) {
				t.Fatalf("allowed %v, want %v (%v)", got, tt.allowed, err)
			}
		})
	}
}

func TestRunChannelsArePrivateWhenConfigured(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) {
			f := setup(t, "small.yaml", sqliteStore(t), func(c *Config) { c.PrivateChannels = private })
			runID := f.activate(t, f.users["ana.lider"], []any{"portal"})
			ch := f.mm.ChannelByName(f.team.Id, strings.ToLower(runID))
			if ch == nil {
				t.Fatalf("no channel for %s", runID)
			}
			want := model.ChannelTypeOpen
			if private {
				want = model.ChannelTypePrivate
			}
			if ch.Type != want {
				t.Fatalf("run channel type %q, want %q", ch.Type, want)
			}
			members := f.mm.Members(ch.Id)
			for _, name := range []string{"ana.lider", "beto.suplente", "carla.datos", "diego.sistemas"} {
				if !slices.Contains(members, name) {
					t.Errorf("%s is not in the run channel (members %v)", name, members)
				}
			}
		})
	}
}

// TestAnActionNoApproverSeesShowsItsDryRunInTheDialog: a destructive step
// that needs no approval shows its dry run in the confirmation dialog,
// and submitting it runs the step on those very facts.
func TestAnActionNoApproverSeesShowsItsDryRunInTheDialog(t *testing.T) {
	copyAge := "6 h"
	f := setupBot(t, "small.yaml", sqliteStore(t), func(c *bot.Config) {
		restore, _ := c.Plan.Procedure("restaurar")
		for i := range restore.Steps {
			if restore.Steps[i].ID == "desplegar" {
				restore.Steps[i].Approval = nil
			}
		}
		c.Preflight = func(_ context.Context, _ *plan.Run, it *plan.Item) (string, map[string]string, error) {
			return "Desplegar la copia de " + it.Server + " de hace " + copyAge, map[string]string{"source_at": copyAge}, nil
		}
	})
	ana, diego := f.users["ana.lider"], f.users["diego.sistemas"]
	runID := f.activate(t, ana, []any{"portal"})
	ch := f.runChannel(t, runID)
	for _, p := range []struct {
		who  *model.User
		kind bot.ButtonKind
		step string
	}{
		{diego, bot.ButtonDone, "evaluacion/evaluar"}, {ana, bot.ButtonDone, "evaluacion/activar"},
		{f.users["beto.suplente"], bot.ButtonApprove, "evaluacion/activar"}, {ana, bot.ButtonPriorities, "restaurar/prioridades"},
	} {
		f.flush(t)
		f.press(t, p.who, ch, p.kind, p.step, "")
	}
	f.flush(t)

	const key = "restaurar/desplegar@db"
	if msg := f.press(t, diego, ch, bot.ButtonRun, key, ""); msg != "" {
		t.Fatalf("running %s answered %q", key, msg)
	}
	ds := f.mm.Dialogs(diego.Id)
	if intro := ds[len(ds)-1].Request.Dialog.IntroductionText; !strings.Contains(intro, "de hace 6 h") {
		t.Fatalf("the confirmation dialog does not show the dry run: %q", intro)
	}
	it, _ := f.load(t, runID).Item(key)
	if it.Status != plan.StatusRunning || it.Facts["source_at"] != "6 h" {
		t.Fatalf("%s after the dialog: %s with facts %v", key, it.Status, it.Facts)
	}
}
