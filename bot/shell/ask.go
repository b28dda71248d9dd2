package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// question is what a prompt asks, so a script can answer it.
type question int

const (
	askConfirm question = iota
	askReason
	askServices
	askStrategy
	askAssessment
	askDrill
)

// asker asks the person at the keyboard a question; def is the answer
// when they just press Enter.
type asker func(ctx context.Context, q question, prompt, def string) (string, error)

// errNoAnswer means the input ended in the middle of a question.
var errNoAnswer = errors.New("the input ended before the answer")

// interactive asks on the terminal, reading the answer from lines.
func (s *Shell) interactive(lines <-chan readResult) asker {
	return func(ctx context.Context, _ question, prompt, def string) (string, error) {
		s.mu.Lock()
		_, _ = io.WriteString(s.out, prompt)
		s.mu.Unlock()
		line, ok, err := s.read(ctx, lines)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", errNoAnswer
		}
		if line == "" {
			return def, nil
		}
		return line, nil
	}
}

// scripted answers every question at once and prints the answer after
// the prompt, as if typed: confirmations are accepted, a reason is the
// one given, anything else takes its default (pre-answered by Answer).
func (s *Shell) scripted(reason string) asker {
	return func(_ context.Context, q question, prompt, def string) (string, error) {
		answer := def
		switch q {
		case askConfirm:
			answer = tr(s.lang, "s", "y")
		case askReason:
			answer = reason
		}
		s.say(fmt.Sprint(prompt, answer))
		return answer, nil
	}
}
