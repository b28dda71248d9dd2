package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/bot/slack/fakeslack"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// The small plan's people (testdata/plans/small.yaml).
var (
	ana   = person{ID: "U0SM00001", Name: "Ana Líder"}      // lider
	beto  = person{ID: "U0SM00002", Name: "Beto Suplente"}  // lider
	carla = person{ID: "U0SM00003", Name: "Carla Datos"}    // dba
	diego = person{ID: "U0SM00004", Name: "Diego Sistemas"} // sysadmin
)

func TestSignatureVerification(t *testing.T) {
	e := setup(t, envOptions{plan: "small"})
	body := []byte(e.commandForm(ana, originChannel, "activar portal", e.trigger()).Encode())
	cases := []struct {
		name string
		req  request
		want int
	}{
		{"forged with another secret", request{path: "/slack/commands", body: body, secret: "not-the-signing-secret"}, 401},
		{"stale by ten minutes", request{path: "/slack/commands", body: body, at: time.Now().Add(-10 * time.Minute)}, 401},
		{"from ten minutes ahead", request{path: "/slack/commands", body: body, at: time.Now().Add(10 * time.Minute)}, 401},
		{"body changed after signing", request{path: "/slack/interactions", body: body,
			headers: map[string]string{"X-Slack-Signature": sign(signingSecret, "1", []byte("other"))}}, 401},
		{"no signature headers", request{path: "/slack/commands", body: body,
			headers: map[string]string{"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}}, 401},
		{"forged interaction", request{path: "/slack/interactions", secret: "x",
			body: interactionForm(t, map[string]any{"type": "block_actions"})}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if ans := e.post(tc.req); ans.status != tc.want {
				t.Fatalf("status %d (%s), want %d", ans.status, ans.body, tc.want)
			}
		})
	}
	t.Run("nothing reached the bot", func(t *testing.T) {
		e.flush()
		runs, err := e.store.ListRuns(context.Background(), storage.RunFilter{})
		if err != nil || len(runs) != 0 {
			t.Fatalf("runs %v (err %v), want none", runs, err)
		}
		if v := e.ws.Views(); len(v) != 0 {
			t.Fatalf("%d modals opened by forged requests", len(v))
		}
	})
	t.Run("a correctly signed request passes", func(t *testing.T) {
		if ans := e.post(request{path: "/slack/commands", body: body}); ans.status != 200 {
			t.Fatalf("status %d (%s), want 200", ans.status, ans.body)
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	e := setup(t, envOptions{plan: "small"})
	form := func(v url.Values) []byte { return []byte(v.Encode()) }
	cases := []struct {
		name     string
		path     string
		body     []byte
		want     int
		contains string
	}{
		{"interaction without payload", "/slack/interactions", form(url.Values{"x": {"1"}}), 400, "without payload"},
		{"payload that is not JSON", "/slack/interactions", form(url.Values{"payload": {"{not json"}}), 400, "not valid JSON"},
		{"payload without a type", "/slack/interactions", form(url.Values{"payload": {`{"user":{"id":"U0SM00001"}}`}}), 400, "without a type"},
		{"unsupported interaction type", "/slack/interactions", form(url.Values{"payload": {`{"type":"shortcut","user":{"id":"U1"}}`}}), 400, "unsupported"},
		{"block_actions without actions", "/slack/interactions", interactionForm(t, map[string]any{"type": "block_actions", "user": ana.json()}), 400, "without actions"},
		{"unknown modal", "/slack/interactions", interactionForm(t, map[string]any{"type": "view_submission", "user": ana.json(),
			"view": map[string]any{"callback_id": "other"}}), 400, "unknown modal"},
		{"activation modal with bad metadata", "/slack/interactions", interactionForm(t, map[string]any{"type": "view_submission",
			"user": ana.json(), "view": map[string]any{"callback_id": "contingencia.activate", "private_metadata": "{"}}), 400, "metadata"},
		{"command without user", "/slack/commands", form(url.Values{"channel_id": {"C1"}, "text": {"estado"}}), 400, "user_id"},
		{"body over 1 MiB", "/slack/commands", bytes.Repeat([]byte("a"), 1<<20+1), 413, "larger than"},
		{"body that is not a form", "/slack/commands", []byte("%zz"), 400, "not a form"},
		{"Slack checking the certificate", "/slack/commands", form(url.Values{"ssl_check": {"1"}, "token": {"x"}}), 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ans := e.post(request{path: tc.path, body: tc.body})
			if ans.status != tc.want || !strings.Contains(string(ans.body), tc.contains) {
				t.Fatalf("answer %d %q, want %d containing %q", ans.status, ans.body, tc.want, tc.contains)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		res, err := e.client.Get(e.srv.URL + "/slack/commands")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET answered %d, want 405", res.StatusCode)
		}
	})
}

// lastResponse is the last ephemeral message posted to a response_url.
func lastResponse(tb testing.TB, ws *fakeslack.Workspace) string {
	tb.Helper()
	rs := ws.Responses()
	if len(rs) == 0 {
		tb.Fatal("no ephemeral reply was sent")
	}
	var m struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(rs[len(rs)-1].Body, &m); err != nil || m.ResponseType != "ephemeral" {
		tb.Fatalf("reply %s is not ephemeral", rs[len(rs)-1].Body)
	}
	return m.Text
}

func TestRefusals(t *testing.T) {
	tr := httpTransport{}
	e := setup(t, envOptions{plan: "small"})
	runID := e.activate(tr, ana, "activar portal", "Prueba de rechazos")

	t.Run("activation by someone who is not a leader", func(t *testing.T) {
		ans := tr.command(e, carla, originChannel, "activar portal", e.trigger(), 0)
		assertEphemeral(t, ans, "líder")
	})
	t.Run("a click by someone without the role is refused and recorded", func(t *testing.T) {
		evs := e.click(tr, carla, runID, bot.ButtonDone, "evaluacion/evaluar")
		if len(evs) != 1 || evs[0].Type != plan.EventCommandRefused || evs[0].Actor.UserID != carla.ID || evs[0].Actor.Name != carla.Name {
			t.Fatalf("stored %v by %+v, want one command.refused by Carla", types(evs), actorsOf(evs))
		}
		if got := lastResponse(t, e.ws); !strings.Contains(got, "⛔") {
			t.Fatalf("ephemeral reply %q, want a refusal", got)
		}
	})
	t.Run("the requester cannot approve", func(t *testing.T) {
		e.click(tr, diego, runID, bot.ButtonDone, "evaluacion/evaluar")
		evs := e.click(tr, ana, runID, bot.ButtonDone, "evaluacion/activar")
		if countType(evs, plan.EventApprovalRequested) != 1 {
			t.Fatalf("requesting approval stored %v", types(evs))
		}
		evs = e.click(tr, ana, runID, bot.ButtonApprove, "evaluacion/activar")
		if len(evs) != 1 || evs[0].Type != plan.EventCommandRefused {
			t.Fatalf("self-approval stored %v, want command.refused", types(evs))
		}
		var p plan.CommandRefused
		_ = json.Unmarshal(evs[0].Payload, &p)
		if p.Code != plan.CodeSelfApproval {
			t.Fatalf("refusal code %q, want %q", p.Code, plan.CodeSelfApproval)
		}
		evs = e.click(tr, beto, runID, bot.ButtonApprove, "evaluacion/activar")
		if countType(evs, plan.EventApprovalGranted) != 1 {
			t.Fatalf("approval by another leader stored %v", types(evs))
		}
	})
	t.Run("a reason is asked before a rejection or a skip", func(t *testing.T) {
		r := e.load(runID)
		var it *plan.Item
		for _, x := range r.Items {
			if !x.Step.Optional && !x.Status.Finished() && x.Step.Kind == plan.KindManual && !x.Step.Priorities {
				it = x
				break
			}
		}
		if it == nil {
			t.Fatal("no manual step left to skip")
		}
		channel := e.channelOf(runID)
		b, ok := e.findButton(channel, runID, string(bot.ButtonSkip), it.Key)
		if !ok || !strings.HasPrefix(b.actionID, "reason/") {
			t.Fatalf("skip button %+v, want one that asks for a reason", b)
		}
		views := len(e.ws.Views())
		if evs := e.press(tr, ana, channel, runID, b); len(evs) != 0 {
			t.Fatalf("pressing skip stored %v before the reason", types(evs))
		}
		all := e.ws.Views()
		if len(all) != views+1 {
			t.Fatal("no reason modal opened")
		}
		values := map[string]any{"reason": map[string]any{"reason": map[string]any{"type": "plain_text_input", "value": "No aplica en esta prueba"}}}
		ans := tr.interact(e, submitPayload(t, ana, all[len(all)-1], e.trigger(), values), 0)
		if ans.status != 200 || len(ans.body) != 0 {
			t.Fatalf("submitting the reason answered %d %s", ans.status, ans.body)
		}
		e.flush()
		if got, _ := e.load(runID).Item(it.Key); got.Status != plan.StatusSkipped || got.Reason != "No aplica en esta prueba" {
			t.Fatalf("step %s is %s (%q), want skipped with the reason", it.Key, got.Status, got.Reason)
		}
	})
}

func actorsOf(evs []plan.Event) []plan.Actor {
	out := make([]plan.Actor, len(evs))
	for i, ev := range evs {
		out[i] = ev.Actor
	}
	return out
}

func TestDuplicateDeliveries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tr     transport
		socket bool
	}{{"http", httpTransport{}, false}, {"socket-mode", socketTransport{}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := tc.tr
			e := setup(t, envOptions{plan: "small", socket: tc.socket})
			t.Run("a retried activation declares one run", func(t *testing.T) {
				tr.command(e, ana, originChannel, "activar portal", e.trigger(), 0)
				views := e.ws.Views()
				view := views[len(views)-1]
				payload := submitPayload(t, ana, view, e.trigger(), activationValues(t, view, "Retry", false))
				for retry := range 3 {
					if ans := tr.interact(e, payload, retry); ans.status != 200 {
						t.Fatalf("delivery %d answered %d %s", retry, ans.status, ans.body)
					}
				}
				e.flush()
				runs, _ := e.store.ListRuns(context.Background(), storage.RunFilter{})
				if len(runs) != 1 {
					t.Fatalf("%d runs, want 1", len(runs))
				}
				if n := len(e.ws.Channels()); n != 1 {
					t.Fatalf("%d channels, want 1", n)
				}
			})
			runs, _ := e.store.ListRuns(context.Background(), storage.RunFilter{})
			runID := runs[0].RunID
			channel := e.channelOf(runID)
			t.Run("a retried command is stored once", func(t *testing.T) {
				trigger := e.trigger()
				for retry := range 2 {
					assertEphemeral(t, tr.command(e, ana, channel, "nota una sola vez", trigger, retry), "Nota")
				}
				if n := countType(e.events(runID), plan.EventNoteAdded); n != 1 {
					t.Fatalf("%d notes, want 1", n)
				}
			})
			t.Run("a retried activar does not open a second modal", func(t *testing.T) {
				trigger, before := e.trigger(), len(e.ws.Views())
				tr.command(e, ana, originChannel, "activar portal", trigger, 0)
				tr.command(e, ana, originChannel, "activar portal", trigger, 1)
				if n := len(e.ws.Views()) - before; n != 1 {
					t.Fatalf("%d modals, want 1", n)
				}
			})
			t.Run("a double click changes nothing twice", func(t *testing.T) {
				b, ok := e.findButton(channel, runID, string(bot.ButtonDone), "evaluacion/evaluar")
				if !ok {
					t.Fatal("no done button")
				}
				first := e.press(tr, diego, channel, runID, b)
				second := e.press(tr, diego, channel, runID, b)
				if countType(first, plan.EventStepCompleted) != 1 || len(second) != 0 {
					t.Fatalf("first click stored %v, second %v; want one step.completed then nothing", types(first), types(second))
				}
			})
		})
	}
}

func TestPublishingSurvivesSlackErrors(t *testing.T) {
	tr := httpTransport{}
	e := setup(t, envOptions{plan: "small"})
	runID := e.activate(tr, ana, "activar portal", "Errores de Slack")
	channel := e.channelOf(runID)
	header := func() fakeslack.Message {
		t.Helper()
		r := e.load(runID)
		msg := r.Messages["slack/header"]
		for _, m := range e.ws.Messages(channel) {
			if m.TS == msg.Ref {
				return m
			}
		}
		t.Fatalf("header %s is not in the channel", msg.Ref)
		return fakeslack.Message{}
	}
	// current: the checklist shows who started the first step.
	current := func(m fakeslack.Message) bool { return strings.Contains(string(m.Blocks), "Diego Sistemas") }

	t.Run("429 with Retry-After: the run goes on and the update catches up", func(t *testing.T) {
		e.ws.FailNext("chat.update", fakeslack.Fault{Status: 429, RetryAfter: time.Second})
		calls := e.ws.Calls("chat.update")
		evs := e.click(tr, diego, runID, bot.ButtonStart, "evaluacion/evaluar")
		if countType(evs, plan.EventStepStarted) != 1 {
			t.Fatalf("start stored %v", types(evs))
		}
		if e.ws.Calls("chat.update") <= calls+1 {
			t.Fatal("the update was not retried after the 429")
		}
		m, ok := e.findButton(channel, runID, string(bot.ButtonDone), "evaluacion/evaluar")
		if !ok || !current(m.msg) {
			t.Fatalf("the checklist did not catch up: %s", m.msg.Blocks)
		}
	})
	t.Run("a deleted message is posted again", func(t *testing.T) {
		old := header()
		if !e.ws.DeleteMessage(channel, old.TS) {
			t.Fatal("could not delete the header")
		}
		e.click(tr, diego, runID, bot.ButtonDone, "evaluacion/evaluar")
		now := header()
		if now.TS == old.TS {
			t.Fatal("the header was not posted again")
		}
		pins := e.ws.Pins()
		if pins[len(pins)-1] != (fakeslack.Pin{Channel: channel, TS: now.TS}) {
			t.Fatalf("pins %+v, want the new header pinned", pins)
		}
	})
	t.Run("a failed upload is reported to the person", func(t *testing.T) {
		e.ws.FailNext("files.completeUploadExternal", fakeslack.Fault{Error: "not_in_channel"})
		assertEphemeral(t, tr.command(e, ana, channel, "exportar csv", e.trigger(), 0), "CSV")
		e.flush()
		if got := lastResponse(t, e.ws); !strings.Contains(got, "No se pudo subir") {
			t.Fatalf("reply %q, want the upload failure", got)
		}
		if len(e.ws.Files()) != 0 {
			t.Fatal("a file was shared although the upload failed")
		}
	})
	t.Run("an API error while updating does not stop the run", func(t *testing.T) {
		e.ws.FailNext("chat.update", fakeslack.Fault{Error: "internal_error"})
		e.ws.FailNext("chat.update", fakeslack.Fault{Status: 503})
		evs := e.click(tr, ana, runID, bot.ButtonDone, "evaluacion/activar")
		if countType(evs, plan.EventApprovalRequested) != 1 {
			t.Fatalf("stored %v", types(evs))
		}
		if _, ok := e.findButton(channel, runID, string(bot.ButtonApprove), "evaluacion/activar"); !ok {
			t.Fatal("the approval request was not published")
		}
	})
}

func TestSocketModeMalformedEnvelopes(t *testing.T) {
	e := setup(t, envOptions{plan: "small", socket: true})
	cases := []struct {
		name string
		env  fakeslack.Envelope
	}{
		{"an unsupported interaction", fakeslack.Envelope{Type: "interactive", Payload: map[string]any{"type": "shortcut", "user": ana.json()}}},
		{"a click without actions", fakeslack.Envelope{Type: "interactive", Payload: map[string]any{"type": "block_actions", "user": ana.json()}}},
		{"a command without a user", fakeslack.Envelope{Type: "slash_commands", Payload: map[string]any{"text": "activar", "channel_id": "C1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ans := socketSend(e, tc.env)
			if ans.status != 200 {
				t.Fatalf("ack %d", ans.status)
			}
		})
	}
	t.Run("a reply too large for an ack arrives through response_url", func(t *testing.T) {
		text := "activar " + strings.Repeat("&", 3900)
		ans := socketTransport{}.command(e, ana, originChannel, text, e.trigger(), 0)
		if len(ans.body) != 0 {
			t.Fatalf("ack carried %d bytes, want an empty ack", len(ans.body))
		}
		e.flush()
		if got := lastResponse(t, e.ws); !strings.Contains(got, "&&&&") {
			t.Fatalf("reply %.80q, want the unknown services", got)
		}
	})
	t.Run("nothing was stored or opened", func(t *testing.T) {
		e.flush()
		runs, _ := e.store.ListRuns(context.Background(), storage.RunFilter{})
		if len(runs) != 0 || len(e.ws.Views()) != 0 {
			t.Fatalf("runs %v, views %d: want none", runs, len(e.ws.Views()))
		}
	})
}

func TestChannelNameTakenIsReused(t *testing.T) {
	tr := httpTransport{}
	e := setup(t, envOptions{plan: "small"})
	name := fmt.Sprintf("cont-%d-0001", time.Now().UTC().Year())
	existing := e.ws.AddChannel(name)
	runID := e.activate(tr, ana, "activar portal", "Canal ya creado por un intento anterior")
	if got := e.channelOf(runID); got != existing {
		t.Fatalf("run channel %s, want the existing %s", got, existing)
	}
	chans := e.ws.Channels()
	if len(chans) != 1 {
		t.Fatalf("%d channels, want the one that existed", len(chans))
	}
	for _, p := range []person{ana, beto, carla, diego} {
		if !slices.Contains(chans[0].Members, p.ID) {
			t.Errorf("%s was not invited to the existing channel", p.Name)
		}
	}
}

func TestChannelCreationWaitsOutRateLimits(t *testing.T) {
	e := setup(t, envOptions{plan: "small"})
	e.ws.FailNext("conversations.create", fakeslack.Fault{Status: 429, RetryAfter: time.Second})
	runID := e.activate(httpTransport{}, ana, "activar portal", "Slack limita la creación de canales")
	if e.ws.Calls("conversations.create") != 2 {
		t.Fatalf("conversations.create called %d times, want a retry after the 429", e.ws.Calls("conversations.create"))
	}
	if len(e.ws.Messages(e.channelOf(runID))) == 0 {
		t.Fatal("nothing was posted once the channel existed")
	}
}

func TestRunChannelsArePrivateWhenConfigured(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) {
			e := setup(t, envOptions{plan: "small", private: private})
			runID := e.activate(httpTransport{}, ana, "activar portal", "Canal del equipo de contingencia")
			chans := e.ws.Channels()
			if len(chans) != 1 || chans[0].ID != e.channelOf(runID) {
				t.Fatalf("channels %+v, want the run's", chans)
			}
			if chans[0].Private != private {
				t.Fatalf("run channel private = %v, want %v", chans[0].Private, private)
			}
			for _, p := range []person{ana, beto, carla, diego} {
				if !slices.Contains(chans[0].Members, p.ID) {
					t.Errorf("%s was not invited", p.Name)
				}
			}
		})
	}
}
