package mattermost

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

var _ bot.DirectMessenger = (*Adapter)(nil)

// DirectMessage implements bot.DirectMessenger: it posts the part (a page
// with its Acknowledge button) in the direct channel between the bot and
// the person, found by Mattermost username.
func (a *Adapter) DirectMessage(ctx context.Context, person plan.Person, p bot.Part, lang string) error {
	name := strings.ToLower(strings.TrimPrefix(person.Mattermost, "@"))
	if name == "" {
		return fmt.Errorf("%s has no Mattermost username: %w", person.Name, bot.ErrNoDirectMessages)
	}
	var users []*model.User
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		users, resp, err = a.client.GetUsersByUsernames(ctx, []string{name})
		return err
	})
	if err != nil {
		return apiError("looking up @"+name, resp, err)
	}
	if len(users) == 0 {
		return fmt.Errorf("no Mattermost account @%s: %w", name, bot.ErrNoDirectMessages)
	}
	me, err := a.botUser(ctx)
	if err != nil {
		return err
	}
	var ch *model.Channel
	err = a.call(ctx, func(ctx context.Context) (err error) {
		ch, resp, err = a.client.CreateDirectChannel(ctx, me, users[0].Id)
		return err
	})
	if err != nil {
		return apiError("opening the direct channel with @"+name, resp, err)
	}
	_, err = a.Post(ctx, ch.Id, p, lang)
	return err
}

// botUser is the bot account's user id, read once.
func (a *Adapter) botUser(ctx context.Context) (string, error) {
	a.meMu.Lock()
	me := a.me
	a.meMu.Unlock()
	if me != "" {
		return me, nil
	}
	return a.readMe(ctx)
}

// Ping checks that the server answers and accepts the bot token (for
// readiness checks and at start-up).
func (a *Adapter) Ping(ctx context.Context) error {
	_, err := a.readMe(ctx)
	return err
}

func (a *Adapter) readMe(ctx context.Context) (string, error) {
	var u *model.User
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		u, resp, err = a.client.GetMe(ctx, "")
		return err
	})
	if err != nil {
		return "", apiError("reading the bot account", resp, err)
	}
	a.meMu.Lock()
	a.me = u.Id
	a.meMu.Unlock()
	return u.Id, nil
}

// mentions renders people as @mentions (their names when they have no
// Mattermost username). Mentions notify only in a post's message, not in
// its attachments.
func mentions(people []plan.Person) string {
	var out []string
	for _, pp := range people {
		if n := strings.TrimPrefix(pp.Mattermost, "@"); n != "" {
			out = append(out, "@"+n)
		} else if pp.Name != "" {
			out = append(out, "**"+pp.Name+"**")
		}
	}
	return strings.Join(out, " ")
}
