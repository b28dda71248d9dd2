package slack_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/bot/slack/fakeslack"
	"github.com/contingencia/contingencia/plan"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestQuipuxRunFromActivationToClose works a whole Quipux contingency
// through Slack: activation modal, channel, pinned header, checklist,
// priorities, steps, two-person approvals, actions, tests, a note, the
// status, an export and the close; then reads the timeline.
func TestQuipuxRunFromActivationToClose(t *testing.T) {
	cases := []struct {
		name      string
		store     string
		transport transport
		socket    bool
	}{
		{name: "http/sqlite", store: "sqlite", transport: httpTransport{}},
		{name: "http/postgres", store: "postgres", transport: httpTransport{}},
		{name: "socket-mode/sqlite", store: "sqlite", transport: socketTransport{}, socket: true},
		{name: "socket-mode/postgres", store: "postgres", transport: socketTransport{}, socket: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, envOptions{store: tc.store, socket: tc.socket})
			tr := tc.transport
			leader := e.leader()
			runID := e.activate(tr, leader, "activar quipux", "Incendio en el centro de datos principal; la SAN no responde.")
			year := time.Now().UTC().Year()
			if want := fmt.Sprintf("CONT-%d-0001", year); runID != want {
				t.Fatalf("run id %s, want %s", runID, want)
			}

			// The channel, its people, the pinned header and the checklist.
			chans := e.ws.Channels()
			if len(chans) != 1 || chans[0].Name != strings.ToLower(runID) {
				t.Fatalf("channels %+v, want one named %s", chans, strings.ToLower(runID))
			}
			ch := chans[0]
			r := e.load(runID)
			for _, rl := range e.plan.Roles {
				for _, p := range r.Holders(rl.ID) {
					if p.Slack != "" && !slices.Contains(ch.Members, p.Slack) {
						t.Errorf("%s (%s) was not invited to %s", p.Name, rl.ID, ch.Name)
					}
				}
			}
			msgs := e.ws.Messages(ch.ID)
			if len(msgs) < 2 {
				t.Fatalf("%d messages in the run channel, want the header and the checklist", len(msgs))
			}
			if pins := e.ws.Pins(); len(pins) != 1 || pins[0] != (fakeslack.Pin{Channel: ch.ID, TS: msgs[0].TS}) {
				t.Errorf("pins %+v, want the header %s pinned", pins, msgs[0].TS)
			}
			if !strings.Contains(string(msgs[0].Blocks), runID) {
				t.Errorf("first message is not the header: %s", msgs[0].Blocks)
			}
			if eph := e.ws.Responses(); len(eph) != 0 && !tc.socket {
				t.Logf("responses: %s", eph)
			}
			if got := e.ws.Ephemerals(leader.ID); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, runID) {
				t.Errorf("the leader was not told the run was declared: %+v", got)
			}

			// A note and the status, answered ephemerally in the ack.
			ans := tr.command(e, leader, ch.ID, "nota El proveedor confirma daño en la SAN", e.trigger(), 0)
			assertEphemeral(t, ans, "Nota registrada")
			ans = tr.command(e, leader, ch.ID, "estado", e.trigger(), 0)
			assertEphemeral(t, ans, runID)

			e.driveRun(tr, runID)

			// Export: acknowledged at once, the file then uploaded to the channel.
			ans = tr.command(e, leader, ch.ID, "exportar csv", e.trigger(), 0)
			assertEphemeral(t, ans, "CSV")
			e.flush()
			files := e.ws.Files()
			if len(files) != 1 || files[0].Channel != ch.ID || !strings.Contains(string(files[0].Content), runID) {
				t.Errorf("uploaded files %+v, want the CSV export in %s", files, ch.ID)
			}

			// Close: the command asks for confirmation with a button.
			ans = tr.command(e, leader, ch.ID, "cerrar", e.trigger(), 0)
			var m struct {
				ResponseType string          `json:"response_type"`
				Blocks       json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(ans.body, &m); err != nil || m.ResponseType != "ephemeral" {
				t.Fatalf("cerrar answered %s, want an ephemeral confirmation", ans.body)
			}
			closeBtn := findIn(t, m.Blocks, runID+"|close|")
			evs := e.press(tr, leader, ch.ID, runID, button{msg: msgs[0], blockID: closeBtn.blockID, actionID: closeBtn.actionID, value: closeBtn.value})
			if countType(evs, plan.EventRunClosed) != 1 {
				t.Fatalf("closing stored %v, want run.closed", types(evs))
			}

			// The timeline: everything happened once, by the right people.
			all := e.events(runID)
			t.Logf("%s: %d events, %d steps, %d messages, %d chat.update calls", runID, len(all), len(r.Items),
				len(e.ws.Messages(ch.ID)), e.ws.Calls("chat.update"))
			for _, want := range []plan.EventType{plan.EventRunDeclared, plan.EventChannelCreated, plan.EventPrioritiesConfirmed,
				plan.EventNoteAdded, plan.EventExported, plan.EventRunClosed} {
				if n := countType(all, want); n != 1 {
					t.Errorf("%d %s events, want 1", n, want)
				}
			}
			for _, want := range []plan.EventType{plan.EventApprovalRequested, plan.EventApprovalGranted, plan.EventActionSucceeded, plan.EventStepCompleted} {
				if countType(all, want) == 0 {
					t.Errorf("no %s event", want)
				}
			}
			v := plan.NewVerifier()
			for _, ev := range all {
				if err := v.Add(ev); err != nil {
					t.Fatalf("hash chain: %v", err)
				}
			}
			if n := countType(all, plan.EventCommandRefused); n != 0 {
				t.Errorf("%d refusals in a clean run", n)
			}
			for _, ev := range all {
				if ev.Type == plan.EventApprovalGranted && (ev.Actor.Platform != "slack" || ev.Actor.Name == "" || ev.Actor.UserID == "") {
					t.Errorf("approval by %+v, want a named Slack user", ev.Actor)
				}
			}
			if all[0].Actor != (plan.Actor{Platform: "slack", UserID: leader.ID, Name: leader.Name}) {
				t.Errorf("declared by %+v, want %+v", all[0].Actor, leader)
			}
			// The header now says the run is closed, with no buttons left.
			e.flush()
			final := e.ws.Messages(ch.ID)
			if !strings.Contains(string(final[0].Blocks), "cerrada") || strings.Contains(string(final[0].Blocks), `"button"`) {
				t.Errorf("header after close: %s", final[0].Blocks)
			}
		})
	}
}

func assertEphemeral(tb testing.TB, ans answer, contains string) {
	tb.Helper()
	var m struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if ans.status != 200 || json.Unmarshal(ans.body, &m) != nil || m.ResponseType != "ephemeral" || !strings.Contains(m.Text, contains) {
		tb.Fatalf("answer %d %s, want an ephemeral message containing %q", ans.status, ans.body, contains)
	}
}

// findIn finds a button whose value starts with prefix in blocks.
func findIn(tb testing.TB, raw json.RawMessage, prefix string) button {
	tb.Helper()
	for _, b := range blocksOf(tb, raw) {
		for _, el := range b.Elements {
			if strings.HasPrefix(el.Value, prefix) {
				return button{blockID: b.BlockID, actionID: el.ActionID, value: el.Value}
			}
		}
	}
	tb.Fatalf("no button %s… in %s", prefix, raw)
	return button{}
}

func types(evs []plan.Event) []plan.EventType {
	out := make([]plan.EventType, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}
