package shell

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/contingencia/contingencia/bot"
)

// replyRef is the pseudo-message holding the buttons of the last reply.
const replyRef = "reply"

// command sends `/contingencia text` as the current responder and prints
// the reply, then what the bot posted because of it.
func (s *Shell) command(ctx context.Context, text string, ask asker) error {
	release := s.holdOutput()
	defer release()
	o := s.Origin()
	rep, err := s.bot.Command(ctx, o, text)
	if err != nil {
		return fmt.Errorf("running /contingencia %s: %w", text, err)
	}
	return s.reply(ctx, o, rep, ask)
}

// pressNumber presses the button shown with number n.
func (s *Shell) pressNumber(ctx context.Context, n int, reason string, ask asker) error {
	s.mu.Lock()
	sh, ok := s.nums.byNum[n]
	var b shown
	if ok {
		b = *sh
	}
	s.mu.Unlock()
	if !ok {
		s.say(tr(s.lang, "No hay ningún botón [%d] a la vista.", "No button [%d] is shown.", n))
		return nil
	}
	return s.press(ctx, b, reason, ask)
}

// press confirms, asks for a reason when needed, and clicks a button as
// the current responder.
func (s *Shell) press(ctx context.Context, b shown, reason string, ask asker) error {
	o := s.Origin()
	s.say(tr(s.lang, "[%s] pulsa «%s» en %s", "[%s] presses «%s» on %s", o.UserName, b.button.Label, b.where))
	if c := b.button.Confirm; c != nil {
		s.say("   " + strings.TrimSpace(c.Title+" "+s.st.markdown(c.Text)))
		answer, err := ask(ctx, askConfirm, tr(s.lang, "¿Confirmar? (s/n) ", "Confirm? (y/n) "), "n")
		if err != nil {
			return err
		}
		if !yes(strings.TrimSpace(answer)) {
			s.say(tr(s.lang, "Cancelado: no se pulsó «%s».", "Cancelled: «%s» was not pressed.", b.button.Label))
			return nil
		}
	}
	if b.button.NeedsReason && reason == "" {
		r, err := ask(ctx, askReason, tr(s.lang, "Motivo: ", "Reason: "), "")
		if err != nil {
			return err
		}
		reason = strings.TrimSpace(r)
	}
	release := s.holdOutput()
	defer release()
	rep, err := s.bot.Click(ctx, o, b.button.Value.String(), reason)
	if err != nil {
		return fmt.Errorf("pressing %s on %s: %w", b.button.Label, b.where, err)
	}
	if !rep.Refused && (b.ref == replyRef || strings.HasPrefix(b.ref, "dm/")) {
		s.mu.Lock()
		s.nums.forget(b.ref)
		s.mu.Unlock()
	}
	return s.reply(ctx, o, rep, ask)
}

// reply prints the bot's private answer (text, buttons, a file), fills
// the activation form when it asks for one, and waits until the bot has
// posted what the request changed.
func (s *Shell) reply(ctx context.Context, o bot.Origin, rep bot.Reply, ask asker) error {
	if rep.Text != "" {
		prefix := tr(s.lang, "(solo usted) ", "(only you) ")
		lines := strings.Split(s.st.markdown(rep.Text), "\n")
		for i := range lines {
			if i == 0 {
				lines[i] = s.st.wrap(ansiDim, prefix) + lines[i]
			} else {
				lines[i] = strings.Repeat(" ", len([]rune(prefix))) + lines[i]
			}
		}
		s.say(lines...)
	}
	if len(rep.Buttons) > 0 {
		s.mu.Lock()
		f := s.nums.frame(replyRef)
		line := "   " + s.st.buttons(rep.Buttons, rep.RunID, f)
		f.commit()
		s.mu.Unlock()
		s.say(line)
	}
	if rep.File != nil {
		if err := s.save(rep.File); err != nil {
			return err
		}
	}
	if rep.Form != nil {
		a, err := s.fill(ctx, rep.Form, ask)
		if err != nil {
			return err
		}
		next, err := s.bot.Activate(ctx, o, a)
		if err != nil {
			return fmt.Errorf("activating: %w", err)
		}
		return s.reply(ctx, o, next, ask)
	}
	if err := s.bot.Flush(ctx); err != nil {
		return fmt.Errorf("waiting for the bot's messages: %w", err)
	}
	if rep.Refused {
		return fmt.Errorf("%w: %s", ErrRefused, rep.Text)
	}
	return nil
}

// save writes an export to the output directory and prints its path.
func (s *Shell) save(f *bot.File) error {
	if err := os.MkdirAll(s.cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("creating %s for the export: %w", s.cfg.OutDir, err)
	}
	path := filepath.Join(s.cfg.OutDir, filepath.Base(f.Name))
	if err := os.WriteFile(path, f.Content, 0o644); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	s.say(tr(s.lang, "📎 %s guardado en %s", "📎 %s saved to %s", f.Title, path))
	return nil
}
