package page

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// QueuePages is the River queue of pages and escalation timers.
const QueuePages = "pages"

// DefaultAckTimeout applies to roles whose plan gives no ack_timeout.
const DefaultAckTimeout = 15 * time.Minute

// PageArgs pages the people of one link of a role's escalation chain:
// level 0 is the role itself, level n its n-th escalation role. Person,
// when set, pages only that person (a role handed over with `asignar`).
type PageArgs struct {
	RunID  string `json:"run_id" river:"unique"`
	Role   string `json:"role" river:"unique"`
	Level  int    `json:"level" river:"unique"`
	Person string `json:"person,omitempty" river:"unique"`
}

// Kind is the River job kind.
func (PageArgs) Kind() string { return "contingencia.page" }

// InsertOpts: one page per link and person per run, ever.
func (PageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePages, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EscalateArgs is the acknowledgement timer of one link: at Due, if nobody
// acknowledged for Role, the next link is paged.
type EscalateArgs struct {
	RunID string    `json:"run_id" river:"unique"`
	Role  string    `json:"role" river:"unique"`
	Level int       `json:"level" river:"unique"`
	Due   time.Time `json:"due"`
}

// Kind is the River job kind.
func (EscalateArgs) Kind() string { return "contingencia.escalate" }

// InsertOpts: one timer per link per run.
func (EscalateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePages, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AckTimeout is how long a role has to acknowledge.
func AckTimeout(p *plan.Plan, role string) time.Duration {
	if rl, ok := p.Role(role); ok && rl.AckTimeout > 0 {
		return rl.AckTimeout.D()
	}
	return DefaultAckTimeout
}

// JobsFor returns the paging jobs implied by freshly decided events (the
// bot stores them in the same transaction): every role is paged when a
// run is declared, a role handed over pages its new holder, a page starts
// its link's acknowledgement timer, and an escalation pages the next link.
// A failed page starts the timer too: someone nobody could reach has not
// acknowledged either, so the chain goes on at the same timeout.
func JobsFor(r *plan.Run, events []plan.Event) ([]storage.Job, error) {
	var jobs []storage.Job
	timers := map[string]bool{}
	for _, e := range events {
		switch e.Type {
		case plan.EventRunDeclared:
			for _, rl := range r.Plan.Roles {
				jobs = append(jobs, storage.Job{Args: PageArgs{RunID: r.ID, Role: rl.ID}})
			}
		case plan.EventRoleAssigned:
			var a plan.RoleAssigned
			if err := json.Unmarshal(e.Payload, &a); err != nil {
				return nil, fmt.Errorf("reading %s: %w", e.Type, err)
			}
			jobs = append(jobs, storage.Job{Args: PageArgs{RunID: r.ID, Role: a.Role, Person: a.Person.Name}})
		case plan.EventPageSent, plan.EventPageFailed, plan.EventPageEscalated:
			var p plan.PageEvent
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("reading %s: %w", e.Type, err)
			}
			if e.Type == plan.EventPageEscalated {
				jobs = append(jobs, storage.Job{Args: PageArgs{RunID: r.ID, Role: p.Role, Level: p.Level}})
				continue
			}
			key := fmt.Sprintf("%s/%d", p.Role, p.Level)
			if timers[key] {
				continue
			}
			timers[key] = true
			due := e.At.Add(AckTimeout(r.Plan, p.Role))
			jobs = append(jobs, storage.Job{Args: EscalateArgs{RunID: r.ID, Role: p.Role, Level: p.Level, Due: due},
				Opts: &river.InsertOpts{ScheduledAt: due}})
		}
	}
	return jobs, nil
}

// Chat is the chat side of paging, implemented by the bot on the run's
// platform.
type Chat interface {
	// DirectMessage sends the page privately, with an Acknowledge button;
	// ErrNoAddress when the person has no identity on the platform.
	DirectMessage(ctx context.Context, r *plan.Run, m Message) error
	// Mention names the paged people in the run's channel.
	Mention(ctx context.Context, r *plan.Run, role string, people []plan.Person, level int) error
	// Tell posts a notice in the run's channel (escalations, failures).
	Tell(ctx context.Context, r *plan.Run, text string) error
}

// Config configures the paging workers.
type Config struct {
	Recorder actions.Recorder // required: loads runs, records page events
	Chat     Chat             // nil: no chat pages
	Email    *Email           // nil: no e-mail pages
	Webhook  *Webhook         // nil: no webhooks
	Now      func() time.Time
	Logger   *slog.Logger
	Lang     string
}

func (c *Config) defaults() error {
	if c.Recorder == nil {
		return errors.New("page: a Recorder is required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Webhook == nil {
		c.Webhook = &Webhook{}
	}
	return nil
}

// Workers registers the paging workers.
func Workers(w *river.Workers, cfg Config) error {
	if err := cfg.defaults(); err != nil {
		return err
	}
	river.AddWorker(w, &PageWorker{cfg: cfg})
	river.AddWorker(w, &EscalateWorker{cfg: cfg})
	return nil
}

// PageWorker pages one link of a role on every channel; each delivery,
// sent or failed, is an event, and a failed one is also told in the run's
// channel. One channel failing never stops the others.
type PageWorker struct {
	river.WorkerDefaults[PageArgs]
	cfg Config
}

// Work pages the link.
func (w *PageWorker) Work(ctx context.Context, job *river.Job[PageArgs]) error {
	_, err := w.page(ctx, job.Args, fmt.Sprintf("page:%d", job.ID))
	return err
}

// page pages the people of a link who have not acknowledged, on every
// channel, recording each delivery under keys made from key; it returns
// who was paged.
func (w *PageWorker) page(ctx context.Context, a PageArgs, key string) ([]string, error) {
	r, err := w.cfg.Recorder.Load(ctx, a.RunID)
	if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", a.RunID, err)
	}
	if r.Ended != "" || a.Person == "" && r.Acknowledged(a.Role) {
		return nil, nil // nobody needs paging any more
	}
	target, ok := linkRole(r.Plan, a.Role, a.Level)
	if !ok {
		return nil, nil
	}
	lang := langOf(r, w.cfg.Lang)
	var people []plan.Person
	for _, pp := range r.Holders(target) {
		if a.Person != "" && pp.Name != a.Person {
			continue
		}
		if a.Level == 0 && pp.Identifies(r.Leader) {
			continue // the leader who declared the run knows
		}
		if r.AcknowledgedBy(a.Role, pp.Name, userID(r, pp)) {
			continue // they acknowledged this role: no more pages about it
		}
		people = append(people, pp)
	}
	var failures []string
	for _, pp := range people {
		failed, err := w.deliver(ctx, r, a, pp, NewMessage(r, a.Role, pp, a.Level, lang), key)
		if err != nil {
			return nil, err
		}
		failures = append(failures, failed...)
	}
	if w.cfg.Chat != nil && len(people) > 0 {
		if err := w.cfg.Chat.Mention(ctx, r, a.Role, people, a.Level); err != nil {
			failures = append(failures, fmt.Sprintf("mención en el canal: %v", err))
		}
		if len(failures) > 0 {
			text := tr(lang, "⚠️ Avisos no entregados: %s", "⚠️ Pages not delivered: %s", strings.Join(failures, "; "))
			if err := w.cfg.Chat.Tell(ctx, r, text); err != nil {
				w.cfg.Logger.Warn("telling the channel about failed pages", "run", r.ID, "err", err)
			}
		}
	}
	names := make([]string, len(people))
	for i, pp := range people {
		names[i] = pp.Name
	}
	return names, nil
}

// errUnreachable is the failure of a person no channel has an address for.
var errUnreachable = errors.New("no address on any channel")

// deliver pages one person on every channel and records each outcome; it
// returns the failures to tell the run's channel. A person no channel has
// an address for is a failed page too: never quiet, and the link's
// acknowledgement timer still starts.
func (w *PageWorker) deliver(ctx context.Context, r *plan.Run, a PageArgs, pp plan.Person, m Message, key string) ([]string, error) {
	var failures []string
	reached := false
	for _, ch := range w.channels(r, a.Role) {
		sendErr := ch.send(ctx, m)
		if errors.Is(sendErr, ErrNoAddress) {
			continue
		}
		reached = true
		if err := w.record(ctx, r, a, pp, ch.name, sendErr, key); err != nil {
			return nil, err
		}
		if sendErr != nil {
			failures = append(failures, fmt.Sprintf("%s (%s): %v", pp.Name, ch.name, sendErr))
		}
	}
	if !reached {
		if err := w.record(ctx, r, a, pp, "none", errUnreachable, key); err != nil {
			return nil, err
		}
		failures = append(failures, fmt.Sprintf("%s: %v", pp.Name, errUnreachable))
	}
	return failures, nil
}

// record stores the outcome of one delivery: sent when sendErr is nil,
// failed with its reason otherwise.
func (w *PageWorker) record(ctx context.Context, r *plan.Run, a PageArgs, pp plan.Person, channel string, sendErr error, key string) error {
	ev := plan.PageEvent{Role: a.Role, Person: pp.Name, UserID: userID(r, pp), Channel: channel, Level: a.Level}
	typ := plan.EventPageSent
	if sendErr != nil {
		typ, ev.Error = plan.EventPageFailed, sendErr.Error()
		w.cfg.Logger.Warn("page not delivered", "run", r.ID, "role", a.Role, "person", pp.Name, "channel", channel, "err", sendErr)
	}
	if err := w.cfg.Recorder.Record(ctx, r.ID, plan.RecordPage{Type: typ, Page: ev},
		fmt.Sprintf("%s:%s:%s:%s", key, pp.Name, channel, typ)); err != nil {
		return fmt.Errorf("recording the page of %s: %w", pp.Name, err)
	}
	return nil
}

// channel is one way of paging.
type channel struct {
	name string
	send func(context.Context, Message) error
}

func (w *PageWorker) channels(r *plan.Run, role string) []channel {
	var out []channel
	if w.cfg.Chat != nil {
		out = append(out, channel{"dm", func(ctx context.Context, m Message) error { return w.cfg.Chat.DirectMessage(ctx, r, m) }})
	}
	if w.cfg.Email != nil {
		out = append(out, channel{"email", w.cfg.Email.Send})
	}
	if rl, ok := r.Plan.Role(role); ok && rl.Webhook != "" {
		url := rl.Webhook
		out = append(out, channel{"webhook", func(ctx context.Context, m Message) error { return w.cfg.Webhook.Send(ctx, url, m) }})
	}
	return out
}

// EscalateWorker is the acknowledgement timer of a link.
type EscalateWorker struct {
	river.WorkerDefaults[EscalateArgs]
	cfg Config
}

// Work escalates to the next link when nobody acknowledged in time.
func (w *EscalateWorker) Work(ctx context.Context, job *river.Job[EscalateArgs]) error {
	a := job.Args
	r, err := w.cfg.Recorder.Load(ctx, a.RunID)
	if err != nil {
		return fmt.Errorf("loading run %s: %w", a.RunID, err)
	}
	if r.Ended != "" || r.Acknowledged(a.Role) {
		return nil // an acknowledgement cancels the escalation
	}
	if now := w.cfg.Now(); now.Before(a.Due) {
		return river.JobSnooze(a.Due.Sub(now)) // never early, whatever woke it
	}
	lang := langOf(r, w.cfg.Lang)
	next := a.Level + 1
	target, ok := linkRole(r.Plan, a.Role, next)
	if !ok {
		if w.cfg.Chat != nil {
			return w.cfg.Chat.Tell(ctx, r, tr(lang, "⚠️ Nadie confirmó el rol %s y la cadena de escalamiento terminó.",
				"⚠️ Nobody acknowledged %s and the escalation chain is exhausted.", roleName(r.Plan, a.Role, lang)))
		}
		return nil
	}
	key := fmt.Sprintf("escalate:%s:%s:%d", a.RunID, a.Role, next)
	if err := w.cfg.Recorder.Record(ctx, r.ID, plan.RecordPage{Type: plan.EventPageEscalated,
		Page: plan.PageEvent{Role: a.Role, Person: roleName(r.Plan, target, lang), Level: next}}, key); err != nil {
		return fmt.Errorf("recording the escalation: %w", err)
	}
	if w.cfg.Chat != nil {
		text := tr(lang, "⤴️ Nadie con el rol %s confirmó en %s: se escala a %s. Líder: %s.",
			"⤴️ Nobody holding %s acknowledged within %s: escalating to %s. Leader: %s.",
			roleName(r.Plan, a.Role, lang), AckTimeout(r.Plan, a.Role), roleName(r.Plan, target, lang), r.Leader.Name)
		if err := w.cfg.Chat.Tell(ctx, r, text); err != nil {
			w.cfg.Logger.Warn("telling the leader about an escalation", "run", r.ID, "err", err)
		}
	}
	return nil
}

// linkRole is the role paged at a level of role's chain.
func linkRole(p *plan.Plan, role string, level int) (string, bool) {
	if level == 0 {
		_, ok := p.Role(role)
		return role, ok
	}
	rl, ok := p.Role(role)
	if !ok || level > len(rl.Escalation) {
		return "", false
	}
	return rl.Escalation[level-1], true
}

// userID is the person's id on the run's platform.
func userID(r *plan.Run, pp plan.Person) string {
	switch r.Declared.Platform {
	case "slack":
		return pp.Slack
	case "mattermost":
		return pp.Mattermost
	}
	return pp.Email
}

func langOf(r *plan.Run, def string) string {
	if r.Declared.Lang == "es" || r.Declared.Lang == "en" {
		return r.Declared.Lang
	}
	if def == "en" {
		return def
	}
	return "es"
}

func roleName(p *plan.Plan, id, lang string) string {
	if rl, ok := p.Role(id); ok {
		return rl.Name.In(lang)
	}
	return id
}

func tr(lang, es, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

// Messenger is what the bot offers for chat pages: a private message with
// an Acknowledge button, and a notice in the run's channel.
type Messenger interface {
	DirectMessage(ctx context.Context, r *plan.Run, person plan.Person, role, title, text string) error
	Tell(ctx context.Context, r *plan.Run, text string, mentions []plan.Person) error
}

// ChatVia pages through the bot's messenger.
func ChatVia(m Messenger) Chat { return messengerChat{m} }

type messengerChat struct{ m Messenger }

func (c messengerChat) DirectMessage(ctx context.Context, r *plan.Run, m Message) error {
	if userID(r, m.Person) == "" && r.Declared.Platform != "shell" {
		return ErrNoAddress
	}
	return c.m.DirectMessage(ctx, r, m.Person, m.Role, m.Subject(), m.Text())
}

func (c messengerChat) Mention(ctx context.Context, r *plan.Run, role string, people []plan.Person, level int) error {
	lang := langOf(r, "")
	text := tr(lang, "📟 Se les necesita como %s: confirmen con el botón del mensaje directo.",
		"📟 You are needed as %s: acknowledge with the button of the direct message.", roleName(r.Plan, role, lang))
	if level > 0 {
		text = tr(lang, "⤴️ Escalamiento del rol %s: confirmen con el botón del mensaje directo.",
			"⤴️ Escalation of %s: acknowledge with the button of the direct message.", roleName(r.Plan, role, lang))
	}
	return c.m.Tell(ctx, r, text, people)
}

func (c messengerChat) Tell(ctx context.Context, r *plan.Run, text string) error {
	return c.m.Tell(ctx, r, text, nil)
}

// Provider gives the plan's page.role action (the "convocar" steps of the
// activation): it pages a role's people now, on every channel, skipping
// those who already acknowledged.
type Provider struct{ w *PageWorker }

// NewProvider returns the page.role executor over the paging config.
func NewProvider(cfg Config) (*Provider, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Provider{w: &PageWorker{cfg: cfg}}, nil
}

// Executors implements actions.Provider.
func (p *Provider) Executors() map[string]actions.Executor {
	return map[string]actions.Executor{"page.role": actions.ExecutorFunc(p.pageRole)}
}

func (p *Provider) pageRole(ctx context.Context, req actions.Request) (actions.Result, error) {
	role := req.String("role", "")
	if _, ok := req.Plan.Role(role); !ok {
		return actions.Result{}, actions.Permanent(fmt.Errorf("el rol %q no está en el plan", role))
	}
	paged, err := p.w.page(ctx, PageArgs{RunID: req.RunID, Role: role}, "step:"+req.Step)
	if err != nil {
		return actions.Result{}, err
	}
	if len(paged) == 0 {
		return actions.Result{Message: "nadie por avisar: el rol ya confirmó", AlreadyDone: true}, nil
	}
	return actions.Result{Message: "avisados: " + strings.Join(paged, ", ")}, nil
}
