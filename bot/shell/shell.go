package shell

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Platform is the platform name of the terminal in origins and events.
const Platform = "shell"

// ChannelID is the channel every terminal command is typed in.
const ChannelID = "terminal"

// Config configures a Shell. The zero value of every field is a working
// default.
type Config struct {
	In     io.Reader  // commands, one a line (os.Stdin)
	Out    io.Writer  // the conversation (os.Stdout)
	Plan   *plan.Plan // the plan whose people are simulated (the bot's)
	Lang   string     // "es" or "en" for the adapter's own text (the bot's language)
	Color  bool       // ANSI colours and bold
	Now    func() time.Time
	OutDir string // where exported files are written (".")
	// Echo prints every line read from In, as Type does: for piped input,
	// so that the transcript shows what was typed.
	Echo bool
}

// Shell is the terminal adapter: a bot.Surface and bot.DirectMessenger
// that prints, and a REPL that lets one person act as every responder.
type Shell struct {
	cfg  Config
	bot  *bot.Bot
	lang string
	st   style

	mu      sync.Mutex
	out     io.Writer
	hold    int      // >0 while a request is handled: surface output waits
	pending []string // surface output held back
	nums    *numbering
	parts   map[string]*posted // message ref → what it shows
	session string             // makes message refs unique across processes
	next    int                // message refs
	who     plan.Person
	answers *FormAnswers
}

// posted is a message printed on the terminal.
type posted struct {
	channel string
	pinned  bool
	part    bot.Part
	text    rendered
}

// New returns a terminal adapter for b and registers it with b as the
// "shell" surface. The first responder is the first person of the plan's
// first leader role. Start b before Run, Type or Press: after every request
// they wait (b.Flush) until the bot has printed what it changed.
func New(cfg Config, b *bot.Bot) (*Shell, error) {
	if b == nil {
		return nil, errors.New("shell: a bot is required")
	}
	if cfg.In == nil {
		cfg.In = os.Stdin
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.Plan == nil {
		cfg.Plan = b.Plan()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.OutDir = cmp.Or(cfg.OutDir, ".")
	lang := cmp.Or(cfg.Lang, b.Lang())
	if lang != "es" && lang != "en" {
		return nil, fmt.Errorf("shell: language %q: use es or en", cfg.Lang)
	}
	var session [4]byte
	if _, err := rand.Read(session[:]); err != nil {
		return nil, fmt.Errorf("shell: making a session id: %w", err)
	}
	s := &Shell{cfg: cfg, bot: b, lang: lang, st: style{color: cfg.Color}, out: cfg.Out,
		nums: newNumbering(), parts: map[string]*posted{}, session: hex.EncodeToString(session[:])}
	who, ok := s.leader()
	if !ok {
		return nil, errors.New("shell: the plan has no leader with people to act as")
	}
	s.who = who
	b.Register(s)
	return s, nil
}

// leader returns the first person of the plan's first leader role.
func (s *Shell) leader() (plan.Person, bool) {
	for _, id := range s.cfg.Plan.Leaders {
		if rl, ok := s.cfg.Plan.Role(id); ok && len(rl.People) > 0 {
			return rl.People[0], true
		}
	}
	return plan.Person{}, false
}

// Origin is the origin of a request by the current responder.
func (s *Shell) Origin() bot.Origin {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.origin(s.who)
}

func (s *Shell) origin(p plan.Person) bot.Origin {
	return bot.Origin{Platform: Platform, UserID: cmp.Or(p.Email, p.Name), UserName: p.Name, ChannelID: ChannelID, Lang: s.lang}
}

// Responder is the person the keyboard acts as.
func (s *Shell) Responder() plan.Person {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.who
}

// As switches the responder: a role id or name (Spanish or English) picks
// the first person holding it in the plan, "leader"/"líder" the plan's
// first leader role, and "persona NAME" / "person NAME" a person by name
// (or e-mail). A name the plan lacks is someone from outside it, who can
// act once a leader assigns them a role (`asignar ROL @Nombre`).
func (s *Shell) As(role string) error {
	p, err := s.find(role)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.who = p
	s.mu.Unlock()
	s.say(s.describe(p, true))
	return nil
}

// ErrUnknownResponder is returned by As for a role or person the plan lacks.
var ErrUnknownResponder = errors.New("no such role or person in the plan")

func (s *Shell) find(query string) (plan.Person, error) {
	q := strings.TrimSpace(query)
	pl := s.cfg.Plan
	if f := strings.Fields(q); len(f) > 1 && (strings.EqualFold(f[0], "persona") || strings.EqualFold(f[0], "person")) {
		name := strings.TrimSpace(q[len(f[0]):])
		for _, rl := range pl.Roles {
			for _, p := range rl.People {
				if strings.EqualFold(p.Name, name) || strings.EqualFold(p.Email, name) {
					return p, nil
				}
			}
		}
		return plan.Person{Name: name}, nil
	}
	switch strings.ToLower(q) {
	case "leader", "líder", "lider":
		if p, ok := s.leader(); ok {
			return p, nil
		}
	}
	for _, rl := range pl.Roles {
		if strings.EqualFold(rl.ID, q) || strings.EqualFold(rl.Name.ES, q) || strings.EqualFold(rl.Name.EN, q) {
			if len(rl.People) == 0 {
				return plan.Person{}, fmt.Errorf("%w: nobody holds %s", ErrUnknownResponder, rl.ID)
			}
			return rl.People[0], nil
		}
	}
	return plan.Person{}, fmt.Errorf("%w: %s", ErrUnknownResponder, q)
}

// describe names a person and the roles they hold in the plan.
func (s *Shell) describe(p plan.Person, switched bool) string {
	var roles []string
	a := plan.Actor{Platform: Platform, UserID: cmp.Or(p.Email, p.Name), Name: p.Name}
	for _, rl := range s.cfg.Plan.Roles {
		if s.cfg.Plan.PlanHolds(a, rl.ID) {
			roles = append(roles, rl.Name.In(s.lang))
		}
	}
	held := strings.Join(roles, ", ")
	if held == "" {
		held = tr(s.lang, "sin rol en el plan", "no role in the plan")
	}
	if switched {
		return tr(s.lang, "👤 Ahora actúa como %s (%s).", "👤 You are now acting as %s (%s).", p.Name, held)
	}
	return tr(s.lang, "👤 Usted actúa como %s (%s).", "👤 You are acting as %s (%s).", p.Name, held)
}

// say prints lines for the person at the keyboard, at once.
func (s *Shell) say(lines ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.write(lines)
}

// show prints what the bot posts: at once, or after the reply to the
// request being handled.
func (s *Shell) show(lines ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold > 0 {
		s.pending = append(s.pending, lines...)
		return
	}
	s.write(lines)
}

func (s *Shell) write(lines []string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, _ = io.WriteString(s.out, b.String()) // a terminal that cannot be written to has nobody to tell
}

// holdOutput delays the bot's posts while a request is handled, so the
// reply comes first; the returned func prints them.
func (s *Shell) holdOutput() func() {
	s.mu.Lock()
	s.hold++
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hold--
		if s.hold == 0 && len(s.pending) > 0 {
			s.write(s.pending)
			s.pending = nil
		}
	}
}
