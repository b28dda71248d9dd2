package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Platform implements bot.Surface.
func (a *Adapter) Platform() string { return Platform }

// apiError turns a failed API call into the error the publisher expects:
// a 429 becomes a *bot.RateLimitError with the server's delay.
func apiError(what string, resp *model.Response, err error) error {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		return fmt.Errorf("%s: %w", what, &bot.RateLimitError{RetryAfter: retryAfter(resp.Header)})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// retryAfter reads the delay of a 429: Retry-After, else
// X-Ratelimit-Reset (both in seconds), else one second.
func retryAfter(h http.Header) time.Duration {
	for _, k := range []string{"Retry-After", "X-Ratelimit-Reset"} {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(k))); err == nil && n >= 0 {
			return time.Duration(max(n, 1)) * time.Second
		}
	}
	return time.Second
}

func status(resp *model.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func appErrorID(err error) string {
	var ae *model.AppError
	if errors.As(err, &ae) {
		return ae.Id
	}
	return ""
}

// CreateChannel implements bot.Surface: it creates the run's channel in
// the team of the channel the run was declared from (or Config.Team),
// reuses it when it exists, and adds the role holders by username.
func (a *Adapter) CreateChannel(ctx context.Context, spec bot.ChannelSpec) (string, error) {
	team, err := a.team(ctx, spec.Origin)
	if err != nil {
		return "", err
	}
	typ := model.ChannelTypeOpen
	if a.cfg.PrivateChannels {
		typ = model.ChannelTypePrivate
	}
	want := &model.Channel{TeamId: team, Name: spec.Name, DisplayName: fit(strings.ToUpper(spec.Name), model.ChannelDisplayNameMaxRunes),
		Purpose: fit(spec.Topic, model.ChannelPurposeMaxRunes), Header: fit(spec.Topic, model.ChannelHeaderMaxRunes), Type: typ}
	var ch *model.Channel
	var resp *model.Response
	err = a.call(ctx, func(ctx context.Context) error {
		ch, resp, err = a.client.CreateChannel(ctx, want)
		return err
	})
	if err != nil && appErrorID(err) == "store.sql_channel.save_channel.exists.app_error" {
		err = a.call(ctx, func(ctx context.Context) error {
			ch, resp, err = a.client.GetChannelByName(ctx, spec.Name, team, "")
			return err
		})
	}
	if err != nil {
		return "", apiError("creating channel "+spec.Name, resp, err)
	}
	if err := a.addMembers(ctx, ch.Id, spec.Members); err != nil {
		return "", err
	}
	return ch.Id, nil
}

// team finds the team of the origin channel, or the configured one.
func (a *Adapter) team(ctx context.Context, origin string) (string, error) {
	if origin != "" {
		var ch *model.Channel
		var resp *model.Response
		err := a.call(ctx, func(ctx context.Context) (err error) {
			ch, resp, err = a.client.GetChannel(ctx, origin)
			return err
		})
		switch {
		case err == nil && ch.TeamId != "":
			return ch.TeamId, nil
		case err != nil && status(resp) == http.StatusTooManyRequests:
			return "", apiError("reading channel "+origin, resp, err)
		case err != nil:
			a.log.Warn("reading the channel a run was declared from", "channel", origin, "err", err)
		}
	}
	if a.cfg.Team == "" {
		return "", errors.New("no team for the run's channel: declare from a team channel or set the adapter's Team")
	}
	if model.IsValidId(a.cfg.Team) {
		return a.cfg.Team, nil
	}
	var t *model.Team
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		t, resp, err = a.client.GetTeamByName(ctx, a.cfg.Team, "")
		return err
	})
	if err != nil {
		return "", apiError("reading team "+a.cfg.Team, resp, err)
	}
	return t.Id, nil
}

// addMembers adds the people with a Mattermost username to the channel.
// People the server does not know, or cannot add, are logged and left
// out: one wrong username must not keep the run from its channel.
func (a *Adapter) addMembers(ctx context.Context, channel string, people []plan.Person) error {
	var names []string
	seen := map[string]bool{}
	for _, p := range people {
		n := strings.ToLower(strings.TrimPrefix(p.Mattermost, "@"))
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var users []*model.User
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		users, resp, err = a.client.GetUsersByUsernames(ctx, names)
		return err
	})
	if err != nil {
		return apiError("looking up role holders", resp, err)
	}
	found := map[string]bool{}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		found[u.Username] = true
		ids = append(ids, u.Id)
	}
	for _, n := range names {
		if !found[n] {
			a.log.Warn("role holder has no Mattermost account", "username", n)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err = a.call(ctx, func(ctx context.Context) (err error) {
		_, resp, err = a.client.AddChannelMembers(ctx, channel, "", ids)
		return err
	})
	if err == nil {
		return nil
	}
	if status(resp) == http.StatusTooManyRequests {
		return apiError("adding role holders", resp, err)
	}
	// One by one, so that the others are added when one cannot be.
	for _, id := range ids {
		err := a.call(ctx, func(ctx context.Context) (err error) {
			_, resp, err = a.client.AddChannelMember(ctx, channel, id)
			return err
		})
		if status(resp) == http.StatusTooManyRequests {
			return apiError("adding role holders", resp, err)
		}
		if err != nil {
			a.log.Warn("adding a role holder to the run channel", "channel", channel, "user", id, "err", err)
		}
	}
	return nil
}

// Post implements bot.Surface.
func (a *Adapter) Post(ctx context.Context, channel string, p bot.Part, lang string) (string, error) {
	var created *model.Post
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		created, resp, err = a.client.CreatePost(ctx, a.render.post(channel, p, lang))
		return err
	})
	if err != nil {
		return "", apiError("posting "+p.Key, resp, err)
	}
	return created.Id, nil
}

// Update implements bot.Surface. The server answers 403 (not 404) to an
// update of a deleted post; the post is then read to tell "deleted"
// (bot.ErrMessageGone, posted again) from a real permission problem.
func (a *Adapter) Update(ctx context.Context, channel, ref string, p bot.Part, lang string) error {
	post := a.render.post(channel, p, lang)
	post.Id = ref
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		_, resp, err = a.client.UpdatePost(ctx, ref, post)
		return err
	})
	if err == nil {
		return nil
	}
	if s := status(resp); s != http.StatusForbidden && s != http.StatusNotFound {
		return apiError("updating "+p.Key, resp, err)
	}
	var got *model.Post
	var gresp *model.Response
	gerr := a.call(ctx, func(ctx context.Context) (err error) {
		got, gresp, err = a.client.GetPost(ctx, ref, "")
		return err
	})
	switch {
	case gerr == nil && got.DeleteAt != 0, status(gresp) == http.StatusNotFound:
		return fmt.Errorf("updating %s: %w", p.Key, bot.ErrMessageGone)
	case gerr != nil:
		return apiError("reading post "+ref, gresp, gerr)
	}
	return apiError("updating "+p.Key, resp, err)
}

// Pin implements bot.Surface.
func (a *Adapter) Pin(ctx context.Context, channel, ref string) error {
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		resp, err = a.client.PinPost(ctx, ref)
		return err
	})
	if err != nil {
		return apiError("pinning "+ref, resp, err)
	}
	return nil
}

// upload posts an export file in the channel: the file is uploaded first,
// then attached to a post of the bot.
func (a *Adapter) upload(ctx context.Context, channel string, f *bot.File) error {
	var up *model.FileUploadResponse
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		up, resp, err = a.client.UploadFile(ctx, f.Content, channel, f.Name)
		return err
	})
	if err != nil {
		return apiError("uploading "+f.Name, resp, err)
	}
	if len(up.FileInfos) == 0 {
		return fmt.Errorf("uploading %s: the server returned no file", f.Name)
	}
	post := &model.Post{ChannelId: channel, Message: "📎 " + f.Title, FileIds: model.StringArray{up.FileInfos[0].Id}}
	err = a.call(ctx, func(ctx context.Context) (err error) {
		_, resp, err = a.client.CreatePost(ctx, post)
		return err
	})
	if err != nil {
		return apiError("posting "+f.Name, resp, err)
	}
	return nil
}
