package slack

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
)

var notChannelName = regexp.MustCompile(`[^a-z0-9_-]+`)

// channelName makes a valid Slack channel name: lowercase letters,
// digits, hyphens and underscores, at most 80 characters.
func channelName(s string) string {
	s = notChannelName.ReplaceAllString(strings.ToLower(s), "-")
	return truncateBytes(strings.Trim(s, "-"), 80)
}

func truncateBytes(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// CreateChannel implements bot.Surface: conversations.create, or the
// existing channel of that name when a previous attempt created it, then
// conversations.invite of every role holder with a Slack id.
func (a *Adapter) CreateChannel(ctx context.Context, spec bot.ChannelSpec) (string, error) {
	name := channelName(spec.Name)
	id, err := a.createOrFind(ctx, name)
	if err != nil {
		return "", err
	}
	var users []string
	for _, p := range spec.Members {
		if p.Slack != "" && !slices.Contains(users, p.Slack) {
			users = append(users, p.Slack)
		}
	}
	if err := a.invite(ctx, id, users); err != nil {
		return "", err
	}
	if spec.Topic != "" {
		cctx, cancel := a.call(ctx)
		_, err := a.api.SetTopicOfConversationContext(cctx, id, truncate(spec.Topic, 250))
		cancel()
		if err != nil {
			a.log.Warn("setting the run channel's topic", "channel", id, "err", err)
		}
	}
	return id, nil
}

func (a *Adapter) createOrFind(ctx context.Context, name string) (string, error) {
	cctx, cancel := a.call(ctx)
	ch, err := a.api.CreateConversationContext(cctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: a.cfg.PrivateChannels})
	cancel()
	if err == nil {
		return ch.ID, nil
	}
	if errorCode(err) != "name_taken" {
		return "", slackError("creating channel "+name, err)
	}
	// A previous attempt (or a person) created it: use it.
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 200}
	for {
		cctx, cancel := a.call(ctx)
		chans, next, err := a.api.GetConversationsContext(cctx, params)
		cancel()
		if err != nil {
			return "", slackError("looking for channel "+name, err)
		}
		for _, c := range chans {
			if c.Name == name {
				return c.ID, nil
			}
		}
		if next == "" {
			return "", fmt.Errorf("channel %s exists but the bot cannot see it (archived, or private without the bot)", name)
		}
		params.Cursor = next
	}
}

// invite adds people to the channel; when one of them cannot be invited
// (left the workspace, already there), the others still are.
func (a *Adapter) invite(ctx context.Context, channel string, users []string) error {
	if len(users) == 0 {
		return nil
	}
	cctx, cancel := a.call(ctx)
	_, err := a.api.InviteUsersToConversationContext(cctx, channel, users...)
	cancel()
	switch code := errorCode(err); {
	case err == nil, code == "already_in_channel":
		return nil
	case code == "":
		return slackError("inviting people to "+channel, err)
	}
	if len(users) == 1 {
		a.log.Warn("inviting a person to the run channel", "channel", channel, "user", users[0], "err", err)
		return nil
	}
	for _, u := range users {
		if err := a.invite(ctx, channel, []string{u}); err != nil {
			return err
		}
	}
	return nil
}
