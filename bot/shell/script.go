package shell

import (
	"context"
	"errors"
	"fmt"

	"github.com/contingencia/contingencia/bot"
)

// Type acts on a line as if the current responder typed it at the prompt
// (a bot command, a button number, `como ROL`…), echoing it first as
// `[Ana Líder] /contingencia activar quipux`. Questions are answered at
// once: confirmations with yes, the activation form with what Answer gave.
// A refusal by the bot is printed and returned wrapped in ErrRefused.
func (s *Shell) Type(ctx context.Context, line string) error {
	s.say(fmt.Sprintf("[%s] %s", s.Responder().Name, line))
	err := s.handle(ctx, line, s.scripted(""))
	if errors.Is(err, errExit) {
		return nil
	}
	return err
}

// Press presses the button of kind for step of run runID as it is shown
// now (after the bot's pending messages are printed), as the current
// responder, confirming it and giving reason when it asks for one. It
// echoes `[Ana Líder] pulsa «Ejecutar» en …`. Step is the checklist key,
// the role id for an acknowledgement, "" for closing. A refusal by the bot
// is printed and returned wrapped in ErrRefused.
func (s *Shell) Press(ctx context.Context, runID, step string, kind bot.ButtonKind, reason string) error {
	if err := s.bot.Flush(ctx); err != nil {
		return fmt.Errorf("waiting for the bot's messages: %w", err)
	}
	s.mu.Lock()
	sh, ok := s.nums.find(runID, step, kind)
	var b shown
	if ok {
		b = *sh
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("pressing %s on %s of %s: %w", kind, step, runID, ErrNotShown)
	}
	return s.press(ctx, b, reason, s.scripted(reason))
}

// ErrNotShown means Press found no such button on the terminal.
var ErrNotShown = errors.New("no such button is shown")

// Answer pre-answers the next activation form, for Type and for the
// interactive prompts (as their defaults).
func (s *Shell) Answer(a FormAnswers) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = &a
}
