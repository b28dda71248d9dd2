package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot/slack/fakeslack"
	"github.com/contingencia/contingencia/plan"
)

// transport delivers what Slack would to the adapter: over HTTP (signed
// requests) or over Socket Mode (envelopes, whose acks are the answer).
type transport interface {
	command(e *env, who person, channel, text, trigger string, retry int) answer
	interact(e *env, payload map[string]any, retry int) answer
}

type httpTransport struct{}

func (httpTransport) command(e *env, who person, channel, text, trigger string, retry int) answer {
	e.tb.Helper()
	return e.post(request{path: "/slack/commands", body: []byte(e.commandForm(who, channel, text, trigger).Encode()), retry: retry})
}

func (httpTransport) interact(e *env, payload map[string]any, retry int) answer {
	e.tb.Helper()
	return e.post(request{path: "/slack/interactions", body: interactionForm(e.tb, payload), retry: retry})
}

type socketTransport struct{}

func (socketTransport) command(e *env, who person, channel, text, trigger string, retry int) answer {
	e.tb.Helper()
	m := map[string]string{}
	for k, v := range e.commandForm(who, channel, text, trigger) {
		m[k] = v[0]
	}
	return socketSend(e, fakeslack.Envelope{Type: "slash_commands", Payload: m, RetryAttempt: retry})
}

func (socketTransport) interact(e *env, payload map[string]any, retry int) answer {
	e.tb.Helper()
	return socketSend(e, fakeslack.Envelope{Type: "interactive", Payload: payload, RetryAttempt: retry})
}

func socketSend(e *env, env fakeslack.Envelope) answer {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ack, err := e.ws.Socket().Send(ctx, env)
	if err != nil {
		e.tb.Fatal(err)
	}
	if string(ack) == "null" {
		ack = nil
	}
	return answer{status: 200, body: ack}
}

// blockJSON is the part of a Block Kit block the tests read.
type blockJSON struct {
	Type     string                 `json:"type"`
	BlockID  string                 `json:"block_id"`
	Text     *struct{ Text string } `json:"text"`
	Elements []struct {
		Type     string         `json:"type"`
		ActionID string         `json:"action_id"`
		Value    string         `json:"value"`
		Text     map[string]any `json:"text"`
		Style    string         `json:"style"`
		Confirm  map[string]any `json:"confirm"`
	} `json:"elements"`
}

func blocksOf(tb testing.TB, raw json.RawMessage) []blockJSON {
	tb.Helper()
	var bs []blockJSON
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &bs); err != nil {
			tb.Fatalf("decoding blocks: %v", err)
		}
	}
	return bs
}

// button is a rendered button found in a posted message.
type button struct {
	msg      fakeslack.Message
	blockID  string
	actionID string
	value    string
	label    string
}

// findButton finds the button of kind for a step in the run's channel.
func (e *env) findButton(channel, runID, kind, step string) (button, bool) {
	e.tb.Helper()
	prefix := strings.Join([]string{runID, kind, step}, "|") + "|"
	for _, m := range e.ws.Messages(channel) {
		for _, b := range blocksOf(e.tb, m.Blocks) {
			for _, el := range b.Elements {
				if el.Type == "button" && strings.HasPrefix(el.Value, prefix) {
					label, _ := el.Text["text"].(string)
					return button{msg: m, blockID: b.BlockID, actionID: el.ActionID, value: el.Value, label: label}, true
				}
			}
		}
	}
	return button{}, false
}

// clickPayload is the block_actions payload Slack posts for a click.
func (e *env) clickPayload(who person, channel string, b button, trigger string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": who.json(), "api_app_id": "A0CONTIN", "token": "deprecated-verification-token",
		"container":  map[string]any{"type": "message", "message_ts": b.msg.TS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id": trigger, "team": map[string]any{"id": "T0CONTIN", "domain": "contingencia"},
		"channel":      map[string]any{"id": channel, "name": "cont"},
		"message":      map[string]any{"type": "message", "ts": b.msg.TS, "text": b.msg.Text, "blocks": b.msg.Blocks},
		"response_url": e.ws.ResponseURL("actions/" + trigger),
		"actions": []any{map[string]any{"type": "button", "action_id": b.actionID, "block_id": b.blockID, "value": b.value,
			"text": map[string]any{"type": "plain_text", "text": b.label, "emoji": true}, "action_ts": "1767225600.000001"}},
	}
}

// submitPayload is the view_submission payload of a modal the bot opened,
// with the given input values as Slack's view state.
func submitPayload(tb testing.TB, who person, view fakeslack.View, trigger string, values map[string]any) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(view.View, &v); err != nil {
		tb.Fatal(err)
	}
	v["state"] = map[string]any{"values": values}
	v["team_id"], v["hash"] = "T0CONTIN", "1767225600.abcdef"
	return map[string]any{"type": "view_submission", "team": map[string]any{"id": "T0CONTIN", "domain": "contingencia"},
		"user": who.json(), "api_app_id": "A0CONTIN", "token": "deprecated-verification-token", "trigger_id": trigger,
		"view": v, "response_urls": []any{}}
}

// activationValues fills the activation modal as the leader would: the
// pre-selected services and strategy, an assessment, drill as given.
func activationValues(tb testing.TB, view fakeslack.View, assessment string, drill bool) map[string]any {
	tb.Helper()
	var v struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialOptions []any `json:"initial_options"`
				InitialOption  any   `json:"initial_option"`
				Options        []any `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(view.View, &v); err != nil {
		tb.Fatal(err)
	}
	values := map[string]any{}
	for _, b := range v.Blocks {
		switch b.BlockID {
		case "services":
			values["services"] = map[string]any{"services": map[string]any{"type": "multi_static_select", "selected_options": b.Element.InitialOptions}}
		case "strategy":
			values["strategy"] = map[string]any{"strategy": map[string]any{"type": "radio_buttons", "selected_option": b.Element.InitialOption}}
		case "assessment":
			values["assessment"] = map[string]any{"assessment": map[string]any{"type": "plain_text_input", "value": assessment}}
		case "drill":
			sel := []any{}
			if drill {
				sel = b.Element.Options
			}
			values["drill"] = map[string]any{"drill": map[string]any{"type": "checkboxes", "selected_options": sel}}
		}
	}
	return values
}

func (e *env) load(runID string) *plan.Run {
	e.tb.Helper()
	r, err := e.bot.Load(context.Background(), runID)
	if err != nil {
		e.tb.Fatalf("loading %s: %v", runID, err)
	}
	return r
}

func (e *env) events(runID string) []plan.Event {
	e.tb.Helper()
	evs, err := e.store.Load(context.Background(), runID)
	if err != nil {
		e.tb.Fatalf("loading the events of %s: %v", runID, err)
	}
	return evs
}

func countType(evs []plan.Event, t plan.EventType) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == t {
			n++
		}
	}
	return n
}
