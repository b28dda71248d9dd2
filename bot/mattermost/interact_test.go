package mattermost

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/bot/mattermost/mmtest"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// command types `/contingencia text` as user in channel.
func (f *fixture) command(tb testing.TB, user *model.User, channel *model.Channel, text string) mmtest.CommandResult {
	tb.Helper()
	res, err := f.mm.Command(f.srv.URL+CommandsPath, commandToken, user, channel, text)
	if err != nil {
		tb.Fatalf("/contingencia %s: %v", text, err)
	}
	if res.Status != 200 {
		tb.Fatalf("/contingencia %s: status %d: %s", text, res.Status, res.Body)
	}
	return res
}

// flush waits until the bot has brought every message up to date.
func (f *fixture) flush(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second)
	defer cancel()
	if err := f.bot.Flush(ctx); err != nil {
		tb.Fatalf("flushing: %v", err)
	}
}

// button is a rendered button found in a channel's posts.
type button struct {
	post   *model.Post
	action *model.PostAction
	value  bot.ButtonValue
}

// find looks for the button of kind on step among the posts (stored and
// ephemeral ones shown to user) of a channel.
func (f *fixture) find(channel string, user *model.User, kind bot.ButtonKind, step string) (button, bool) {
	posts := f.mm.Posts(channel)
	if user != nil {
		posts = append(posts, f.mm.EphemeralPosts(user.Id)...)
	}
	for _, p := range posts {
		for _, att := range p.Attachments() {
			for _, a := range att.Actions {
				if a.Integration == nil {
					continue
				}
				s, _ := a.Integration.Context["action"].(string)
				v, err := bot.ParseButtonValue(s)
				if err == nil && v.Kind == kind && v.Step == step {
					return button{post: p, action: a, value: v}, true
				}
			}
		}
	}
	return button{}, false
}

// press clicks a button as user and, when the click opens a dialog
// (confirmation or reason), submits it with reason. It returns the
// ephemeral text, or the dialog's error.
func (f *fixture) press(tb testing.TB, user *model.User, channel string, kind bot.ButtonKind, step, reason string) string {
	tb.Helper()
	b, ok := f.find(channel, user, kind, step)
	if !ok {
		tb.Fatalf("no %s button for %q in channel %s", kind, step, channel)
	}
	before := len(f.mm.Dialogs(user.Id))
	res, err := f.mm.Click(user, b.post.Id, b.action.Id)
	if err != nil {
		tb.Fatalf("clicking %s on %s: %v", kind, step, err)
	}
	if res.Status != 200 {
		tb.Fatalf("clicking %s on %s: status %d", kind, step, res.Status)
	}
	ds := f.mm.Dialogs(user.Id)
	if len(ds) == before {
		return res.Ephemeral
	}
	sub := map[string]any{}
	for _, el := range ds[len(ds)-1].Request.Dialog.Elements {
		if el.Name == fieldReason {
			sub[fieldReason] = reason
		}
	}
	dr, err := f.mm.Submit(user, ds[len(ds)-1], sub)
	if err != nil || dr.Status != 200 {
		tb.Fatalf("submitting the dialog of %s on %s: %d %v", kind, step, dr.Status, err)
	}
	if dr.Response.Error != "" {
		return dr.Response.Error
	}
	for _, e := range dr.Response.Errors {
		return e
	}
	return res.Ephemeral
}

// activate declares a run through the slash command and its dialog.
func (f *fixture) activate(tb testing.TB, leader *model.User, services []any) string {
	tb.Helper()
	before := len(f.mm.Dialogs(leader.Id))
	res := f.command(tb, leader, f.town, "activar")
	if res.Response.Text != "" {
		tb.Fatalf("activar answered %q, want the dialog only", res.Response.Text)
	}
	ds := f.mm.Dialogs(leader.Id)
	if len(ds) != before+1 {
		tb.Fatalf("activar opened %d dialogs, want 1", len(ds)-before)
	}
	d := ds[len(ds)-1]
	strategy := ""
	for _, el := range d.Request.Dialog.Elements {
		if el.Name == fieldStrategy {
			strategy = el.Default
		}
	}
	dr, err := f.mm.Submit(leader, d, map[string]any{fieldServices: services, fieldStrategy: strategy,
		fieldAssessment: "Incendio en el centro de datos principal", fieldDrill: false})
	if err != nil || dr.Status != 200 || dr.Response.Error != "" || len(dr.Response.Errors) > 0 {
		tb.Fatalf("submitting the activation: %d %+v %v", dr.Status, dr.Response, err)
	}
	runs, err := f.store.ListRuns(f.ctx, storage.RunFilter{})
	if err != nil || len(runs) == 0 {
		tb.Fatalf("no run after activation: %v", err)
	}
	f.flush(tb)
	return runs[0].RunID
}

// person returns a Mattermost user holding role, other than not.
func (f *fixture) person(tb testing.TB, role string, not string) *model.User {
	tb.Helper()
	rl, ok := f.plan.Role(role)
	if !ok {
		tb.Fatalf("no role %s", role)
	}
	for _, pp := range rl.People {
		if pp.Mattermost != "" && pp.Mattermost != not {
			return f.users[pp.Mattermost]
		}
	}
	tb.Fatalf("no one else holds %s", role)
	return nil
}

func (f *fixture) load(tb testing.TB, runID string) *plan.Run {
	tb.Helper()
	r, err := f.bot.Load(f.ctx, runID)
	if err != nil {
		tb.Fatalf("loading %s: %v", runID, err)
	}
	return r
}

func (f *fixture) events(tb testing.TB, runID string) []plan.Event {
	tb.Helper()
	evs, err := f.store.Load(f.ctx, runID)
	if err != nil {
		tb.Fatalf("loading events of %s: %v", runID, err)
	}
	return evs
}

func (f *fixture) runChannel(tb testing.TB, runID string) string {
	tb.Helper()
	ch := f.mm.ChannelByName(f.team.Id, strings.ToLower(runID))
	if ch == nil {
		tb.Fatalf("no channel for %s", runID)
	}
	return ch.Id
}
