package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/contingencia/contingencia/bot"
)

// errExit ends the REPL (salir, exit).
var errExit = errors.New("exit")

// ErrRefused wraps the error Type and Press return when the bot refused the
// request (the refusal was printed): a script can tell an intended refusal
// from a mistake.
var ErrRefused = errors.New("refused by the bot")

// MaxLine bounds a line read from the terminal.
const MaxLine = 64 << 10

// terminalCommands are the terminal's own commands, by every word that
// names them; anything else goes to the bot.
var terminalCommands map[string]func(*Shell, context.Context, string, asker) error

func init() {
	terminalCommands = map[string]func(*Shell, context.Context, string, asker) error{
		"como": (*Shell).cmdAs, "as": (*Shell).cmdAs,
		"quien": (*Shell).cmdWhoami, "quién": (*Shell).cmdWhoami, "whoami": (*Shell).cmdWhoami,
		"ayuda": (*Shell).cmdHelp, "help": (*Shell).cmdHelp, "?": (*Shell).cmdHelp,
		"salir": (*Shell).cmdExit, "exit": (*Shell).cmdExit, "quit": (*Shell).cmdExit,
	}
}

type readResult struct {
	line string
	err  error // set on the last result when reading failed
}

// Run reads lines from Config.In and acts on them until the input ends,
// `salir`/`exit` is typed, or ctx ends. Errors of one request are printed
// and the loop goes on; only reading failures and ctx end it with an error.
// When ctx ends while a read of a blocking input (a terminal) is pending,
// that read is abandoned, not interrupted.
func (s *Shell) Run(ctx context.Context) error {
	lines := make(chan readResult)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(s.cfg.In)
		sc.Buffer(make([]byte, 0, 4096), MaxLine)
		for sc.Scan() {
			select {
			case lines <- readResult{line: sc.Text()}:
			case <-done:
				return
			}
		}
		if err := sc.Err(); err != nil {
			select {
			case lines <- readResult{err: err}:
			case <-done:
			}
		}
	}()
	who := s.Responder()
	s.say(tr(s.lang, "contingencia · terminal — actúa como %s. Escriba «ayuda» para ver las órdenes.",
		"contingencia · terminal — acting as %s. Type \"help\" for the commands.", who.Name))
	ask := s.interactive(lines)
	for {
		s.prompt()
		line, ok, err := s.read(ctx, lines)
		if err != nil || !ok {
			return err
		}
		err = s.handle(ctx, line, ask)
		switch {
		case errors.Is(err, errExit), errors.Is(err, errNoAnswer):
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && !errors.Is(err, ErrRefused):
			s.say("⚠️ " + err.Error())
		}
	}
}

// read returns the next line (false at the end of the input), echoing it
// when Config.Echo is set.
func (s *Shell) read(ctx context.Context, lines <-chan readResult) (string, bool, error) {
	select {
	case <-ctx.Done():
		s.say("")
		return "", false, ctx.Err()
	case r, ok := <-lines:
		switch {
		case !ok:
			s.say("")
			return "", false, nil
		case r.err != nil:
			s.say("")
			return "", false, fmt.Errorf("reading the terminal: %w", r.err)
		}
		if s.cfg.Echo {
			s.say(r.line)
		}
		return r.line, true, nil
	}
}

func (s *Shell) prompt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = fmt.Fprintf(s.out, "[%s]> ", s.who.Name)
}

// handle acts on one line: a button number, a terminal command or a bot
// command (with or without /contingencia).
func (s *Shell) handle(ctx context.Context, line string, ask asker) error {
	line = strings.TrimSpace(line)
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	word := strings.ToLower(fields[0])
	rest := strings.TrimSpace(line[len(fields[0]):])
	if n, err := strconv.Atoi(strings.Trim(word, "[]")); err == nil {
		return s.pressNumber(ctx, n, rest, ask)
	}
	if h, ok := terminalCommands[word]; ok {
		return h(s, ctx, rest, ask)
	}
	if word == "/contingencia" || word == "contingencia" {
		return s.command(ctx, rest, ask)
	}
	if in, err := bot.ParseCommand(line); err != nil || in.Unknown == "" {
		return s.command(ctx, line, ask)
	}
	s.say(tr(s.lang, "No entiendo «%s». Escriba «ayuda».", "I do not understand %q. Type \"help\".", fields[0]))
	return nil
}

func (s *Shell) cmdAs(_ context.Context, rest string, _ asker) error {
	if rest == "" {
		s.say(tr(s.lang, "Uso: como ROL | como persona NOMBRE", "Usage: as ROLE | as person NAME"))
		return nil
	}
	if err := s.As(rest); err != nil {
		s.say(tr(s.lang, "No hay ningún rol ni persona «%s» en el plan. Roles: %s.", "There is no role or person %q in the plan. Roles: %s.",
			rest, strings.Join(s.roleIDs(), ", ")))
	}
	return nil
}

func (s *Shell) roleIDs() []string {
	ids := make([]string, len(s.cfg.Plan.Roles))
	for i, rl := range s.cfg.Plan.Roles {
		ids[i] = rl.ID
	}
	return ids
}

func (s *Shell) cmdWhoami(context.Context, string, asker) error {
	s.say(s.describe(s.Responder(), false))
	return nil
}

func (s *Shell) cmdHelp(context.Context, string, asker) error {
	s.say(shellHelp(s.lang), "", s.st.markdown(bot.HelpText(s.lang)))
	return nil
}

func (s *Shell) cmdExit(context.Context, string, asker) error { return errExit }
