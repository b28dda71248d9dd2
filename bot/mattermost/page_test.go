package mattermost

import (
	"strings"
	"testing"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

func TestPages(t *testing.T) {
	f, runID, ch := small(t)
	r := f.load(t, runID)
	carla := f.users["carla.datos"]
	rl, _ := f.plan.Role("dba")
	person := rl.People[0]

	t.Run("a page is a direct message with an acknowledge button", func(t *testing.T) {
		if err := f.bot.DirectMessage(f.ctx, r, person, "dba", "[CONTINGENCIA] Se le necesita", "Hola Carla"); err != nil {
			t.Fatal(err)
		}
		dm := f.mm.DirectChannel(f.mm.Bot.Id, carla.Id)
		if dm == nil {
			t.Fatal("no direct channel between the bot and carla")
		}
		text := f.press(t, carla, dm.Id, bot.ButtonAck, "dba", "")
		if !strings.Contains(text, "✅") {
			t.Fatalf("acknowledging answered %q", text)
		}
		if !acknowledgedBy(f.events(t, runID), carla.Id) {
			t.Fatal("the acknowledgement was not recorded")
		}
	})
	t.Run("someone without a Mattermost username cannot be messaged", func(t *testing.T) {
		err := f.bot.DirectMessage(f.ctx, r, plan.Person{Name: "Sin cuenta"}, "dba", "x", "y")
		if err == nil || !strings.Contains(err.Error(), bot.ErrNoDirectMessages.Error()) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a notice in the run channel mentions people in its message", func(t *testing.T) {
		if err := f.bot.Tell(f.ctx, r, "Escalamiento del rol DBA", []plan.Person{person, {Name: "Sin cuenta"}}); err != nil {
			t.Fatal(err)
		}
		posts := f.mm.Posts(ch)
		last := posts[len(posts)-1]
		if !strings.HasPrefix(last.Message, "@carla.datos **Sin cuenta**\nEscalamiento") {
			t.Fatalf("notice %q", last.Message)
		}
	})
}

func acknowledgedBy(evs []plan.Event, userID string) bool {
	for _, e := range evs {
		if e.Type == plan.EventPageAcknowledged && e.Actor.UserID == userID {
			return true
		}
	}
	return false
}

func TestPing(t *testing.T) {
	f := setup(t, "small.yaml", sqliteStore(t))
	if err := f.ad.Ping(f.ctx); err != nil {
		t.Fatalf("ping with the bot token: %v", err)
	}
	bad, err := New(Config{URL: f.mm.URL, BotToken: "revoked", CommandToken: commandToken, PublicURL: f.srv.URL}, f.bot)
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Ping(f.ctx); err == nil || !strings.Contains(err.Error(), "session") {
		t.Fatalf("ping with a revoked token: %v", err)
	}
}
