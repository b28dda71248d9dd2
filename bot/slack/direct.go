package slack

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// DirectMessage implements bot.DirectMessenger: conversations.open with
// the person, then the part (a page with its Acknowledge button) there.
func (a *Adapter) DirectMessage(ctx context.Context, person plan.Person, p bot.Part, lang string) error {
	if person.Slack == "" {
		return bot.ErrNoDirectMessages
	}
	ctx, cancel := a.call(ctx)
	defer cancel()
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{person.Slack}, ReturnIM: true})
	if err != nil {
		return slackError(fmt.Sprintf("opening a direct message with %s", person.Slack), err)
	}
	if _, _, err := a.api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(fallback(p), false),
		slack.MsgOptionBlocks(PartBlocks(p, lang)...)); err != nil {
		return slackError(fmt.Sprintf("messaging %s", person.Slack), err)
	}
	return nil
}

var _ bot.DirectMessenger = (*Adapter)(nil)
