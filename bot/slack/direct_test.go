package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

func TestPagesByDirectMessageAndMention(t *testing.T) {
	e := setup(t, envOptions{plan: "small"})
	ctx := context.Background()
	carla := plan.Person{Name: "Carla Datos", Slack: "U0SM00003"}
	page := bot.Part{Key: "page/dba", Title: "[CONTINGENCIA CONT-2026-0001] Se le necesita", Text: "Hola <Carla>",
		Buttons: []bot.Button{{Label: "Confirmar recepción", Value: bot.ButtonValue{RunID: "CONT-2026-0001", Kind: bot.ButtonAck, Step: "dba", Seq: 1}}}}
	if err := e.adapter.DirectMessage(ctx, carla, page, "es"); err != nil {
		t.Fatal(err)
	}
	msgs := e.ws.Messages("D0SM00003")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), `CONT-2026-0001|ack|dba|1`) {
		t.Fatalf("direct messages %+v", msgs)
	}
	if err := e.adapter.DirectMessage(ctx, plan.Person{Name: "Sin Slack"}, page, "es"); err != bot.ErrNoDirectMessages {
		t.Fatalf("a person without a Slack id: %v", err)
	}
	ch := e.ws.AddChannel("cont-2026-0001")
	if _, err := e.adapter.Post(ctx, ch, bot.Part{Key: "notice", Text: "📟 Se les necesita <!channel>",
		Mentions: []plan.Person{carla, {Name: "Externo"}}}, "es"); err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Text struct{ Text string } `json:"text"`
	}
	if err := json.Unmarshal(e.ws.Messages(ch)[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].Text.Text != "<@U0SM00003> Externo 📟 Se les necesita &lt;!channel&gt;" {
		t.Fatalf("mention not rendered, or text not escaped: %+v", blocks)
	}
}
