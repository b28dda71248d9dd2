package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Platform is the name of this platform in origins, actors and events.
const Platform = "slack"

// App is what the adapter needs of the bot (satisfied by *bot.Bot).
type App interface {
	Command(ctx context.Context, o bot.Origin, text string) (bot.Reply, error)
	Click(ctx context.Context, o bot.Origin, value, reason string) (bot.Reply, error)
	Activate(ctx context.Context, o bot.Origin, a bot.Activation) (bot.Reply, error)
	Plan() *plan.Plan
	Lang() string
}

// Config configures an Adapter. Bot and Token are required, and
// SigningSecret (HTTP mode) or AppToken (Socket Mode) or both.
type Config struct {
	Bot           App
	Token         string // SLACK_BOT_TOKEN (xoxb-…)
	SigningSecret string // SLACK_SIGNING_SECRET: verifies HTTP requests
	AppToken      string // SLACK_APP_TOKEN (xapp-…): Socket Mode
	APIURL        string // SLACK_API_URL: API base override, ending in "/"
	HTTPClient    *http.Client
	Logger        *slog.Logger
	// PrivateChannels creates run channels as private channels.
	PrivateChannels bool
	// MaxBody bounds a request body (1 MiB).
	MaxBody int64
	// CallTimeout bounds each Slack API call (10 s).
	CallTimeout time.Duration
	// SocketWorkers is how many Socket Mode envelopes are handled at once (8).
	SocketWorkers int
}

// Adapter connects the bot to Slack: it serves slash commands and
// interactions (HTTP or Socket Mode) and is the bot's Slack surface.
type Adapter struct {
	cfg Config
	api *slack.Client
	log *slog.Logger

	// followUps counts work done after an acknowledgement (ephemeral
	// replies, uploads), so tests and shutdown can wait for it.
	mu        sync.Mutex
	followUps int
	idle      *sync.Cond
}

var _ bot.Surface = (*Adapter)(nil)

// New validates the configuration and returns an adapter. Register it
// with the bot (b.Register(a)) so runs are published to Slack.
func New(cfg Config) (*Adapter, error) {
	if cfg.Bot == nil {
		return nil, errors.New("slack: Bot is required")
	}
	if cfg.Token == "" {
		return nil, errors.New("slack: a bot token (SLACK_BOT_TOKEN) is required")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
	}
	cfg.MaxBody = cmp.Or(cfg.MaxBody, 1<<20)
	cfg.CallTimeout = cmp.Or(cfg.CallTimeout, 10*time.Second)
	cfg.SocketWorkers = cmp.Or(cfg.SocketWorkers, 8)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []slack.Option{}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, slack.OptionHTTPClient(cfg.HTTPClient))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{cfg: cfg, api: slack.New(cfg.Token, opts...), log: cfg.Logger}
	a.idle = sync.NewCond(&a.mu)
	return a, nil
}

// Platform implements bot.Surface.
func (a *Adapter) Platform() string { return Platform }

func (a *Adapter) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.cfg.CallTimeout)
}

// slackError maps slack-go errors to the bot's: rate limits become
// bot.RateLimitError so the publisher waits Retry-After.
func slackError(what string, err error) error {
	if err == nil {
		return nil
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return &bot.RateLimitError{RetryAfter: rl.RetryAfter}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// errorCode is the Slack error code of an ok=false answer ("" otherwise).
func errorCode(err error) string {
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return e.Err
	}
	if e, ok := errors.AsType[*slack.SlackErrorResponse](err); ok {
		return e.Err
	}
	return ""
}

// Post implements bot.Surface: chat.postMessage with the part's blocks.
func (a *Adapter) Post(ctx context.Context, channel string, p bot.Part, lang string) (string, error) {
	ctx, cancel := a.call(ctx)
	defer cancel()
	_, ts, err := a.api.PostMessageContext(ctx, channel, slack.MsgOptionText(fallback(p), false),
		slack.MsgOptionBlocks(PartBlocks(p, lang)...))
	if err != nil {
		return "", slackError(fmt.Sprintf("posting %s to %s", p.Key, channel), err)
	}
	return ts, nil
}

// Update implements bot.Surface: chat.update; a deleted message is
// bot.ErrMessageGone.
func (a *Adapter) Update(ctx context.Context, channel, ref string, p bot.Part, lang string) error {
	ctx, cancel := a.call(ctx)
	defer cancel()
	_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ref, slack.MsgOptionText(fallback(p), false),
		slack.MsgOptionBlocks(PartBlocks(p, lang)...))
	if errorCode(err) == "message_not_found" {
		return bot.ErrMessageGone
	}
	return slackError(fmt.Sprintf("updating %s in %s", p.Key, channel), err)
}

// Pin implements bot.Surface: pins.add (pinning twice is fine).
func (a *Adapter) Pin(ctx context.Context, channel, ref string) error {
	ctx, cancel := a.call(ctx)
	defer cancel()
	err := a.api.AddPinContext(ctx, channel, slack.NewRefToMessage(channel, ref))
	if errorCode(err) == "already_pinned" {
		return nil
	}
	return slackError("pinning "+ref, err)
}

// beginFollowUp and endFollowUp count work done after acknowledging.
func (a *Adapter) beginFollowUp() {
	a.mu.Lock()
	a.followUps++
	a.mu.Unlock()
}

func (a *Adapter) endFollowUp() {
	a.mu.Lock()
	a.followUps--
	if a.followUps == 0 {
		a.idle.Broadcast()
	}
	a.mu.Unlock()
}

// Flush waits until the work that follows acknowledgements (ephemeral
// replies, uploads) is done.
func (a *Adapter) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		a.mu.Lock()
		a.idle.Broadcast()
		a.mu.Unlock()
	})
	defer stop()
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.followUps > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		a.idle.Wait()
	}
	return nil
}
