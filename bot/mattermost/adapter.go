package mattermost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
)

// Platform is the origin platform name of Mattermost requests.
const Platform = "mattermost"

// Routes the adapter serves, relative to Config.PublicURL.
const (
	CommandsPath = "/mattermost/commands"
	ActionsPath  = "/mattermost/actions"
	DialogsPath  = "/mattermost/dialogs"
)

// MaxBody bounds every request body the adapter reads.
const MaxBody = 1 << 20

// Config configures the adapter. URL, BotToken, CommandToken and
// PublicURL are required.
type Config struct {
	// URL is the Mattermost server (MATTERMOST_URL), e.g.
	// https://chat.example.gob.ec.
	URL string
	// BotToken is the bot account's access token (MATTERMOST_BOT_TOKEN).
	BotToken string
	// CommandToken is the slash command's token (MATTERMOST_COMMAND_TOKEN);
	// several, separated by commas, when each team has its own command.
	CommandToken string
	// PublicURL is where the Mattermost server reaches this bot (buttons
	// and dialogs are sent to PublicURL + /mattermost/actions|dialogs).
	PublicURL string
	// ActionSecret keys the HMAC of button contexts and dialog states;
	// when empty it is derived from BotToken and CommandToken.
	ActionSecret string
	// Team is the team (name or id) of run channels when the command came
	// from a direct message; otherwise the channel's own team is used.
	Team string
	// PrivateChannels creates run channels as private channels.
	PrivateChannels bool
	// HTTPClient calls the Mattermost API (http.DefaultClient's transport
	// with Timeout per call when nil).
	HTTPClient *http.Client
	// Timeout bounds each API call (10 s).
	Timeout time.Duration
	Logger  *slog.Logger
}

// Adapter is the Mattermost side of the bot: HTTP handlers for the
// server's requests and the bot.Surface that posts run messages.
type Adapter struct {
	cfg    Config
	bot    *bot.Bot
	client *model.Client4
	log    *slog.Logger
	sign   signer
	render renderer

	meMu sync.Mutex
	me   string // the bot account's user id
}

var _ bot.Surface = (*Adapter)(nil)

// New checks the configuration and returns the adapter. It registers
// nothing: call b.Register(adapter) to publish runs on Mattermost.
func New(cfg Config, b *bot.Bot) (*Adapter, error) {
	if b == nil {
		return nil, errors.New("mattermost: a bot is required")
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"URL (MATTERMOST_URL)", cfg.URL}, {"BotToken (MATTERMOST_BOT_TOKEN)", cfg.BotToken},
		{"CommandToken (MATTERMOST_COMMAND_TOKEN)", cfg.CommandToken}, {"PublicURL", cfg.PublicURL}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("mattermost: missing %s", strings.Join(missing, ", "))
	}
	for _, u := range []struct{ name, v string }{{"URL", cfg.URL}, {"PublicURL", cfg.PublicURL}} {
		pu, err := url.Parse(u.v)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("mattermost: %s %q is not an http(s) URL", u.name, u.v)
		}
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, 10*time.Second)
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	client := model.NewAPIv4Client(cfg.URL)
	client.HTTPClient = cfg.HTTPClient
	client.SetToken(cfg.BotToken)
	public := strings.TrimRight(cfg.PublicURL, "/")
	a := &Adapter{cfg: cfg, bot: b, client: client, log: cfg.Logger,
		sign: newSigner(cfg.ActionSecret, cfg.BotToken, cfg.CommandToken)}
	a.render = renderer{sign: a.sign, actionURL: public + ActionsPath}
	return a, nil
}

// Handler serves the three routes Mattermost calls.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(CommandsPath, a.handleCommand)
	mux.HandleFunc(ActionsPath, a.handleAction)
	mux.HandleFunc(DialogsPath, a.handleDialog)
	return mux
}

func (a *Adapter) dialogURL() string { return strings.TrimRight(a.cfg.PublicURL, "/") + DialogsPath }

// call runs one API call with the per-call timeout.
func (a *Adapter) call(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	return fn(ctx)
}
