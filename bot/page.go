package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/contingencia/contingencia/plan"
)

// DirectMessenger is implemented by surfaces that can message a person
// privately (pages with an Acknowledge button).
type DirectMessenger interface {
	DirectMessage(ctx context.Context, person plan.Person, p Part, lang string) error
}

// ErrNoDirectMessages means the run's platform cannot message this person.
var ErrNoDirectMessages = errors.New("no direct message on this platform for this person")

// DirectMessage pages a person privately on the run's platform: title,
// text and an Acknowledge button for role.
func (b *Bot) DirectMessage(ctx context.Context, r *plan.Run, person plan.Person, role, title, text string) error {
	s, ok := b.surface(r.Declared.Platform)
	if !ok {
		return ErrNoDirectMessages
	}
	dm, ok := s.(DirectMessenger)
	if !ok {
		return ErrNoDirectMessages
	}
	lang := b.runLang(r)
	p := Part{Key: "page/" + role, Title: title, Text: text, Buttons: []Button{{
		Label: tr(lang, "Confirmar recepción", "Acknowledge"), Style: "primary",
		Value: ButtonValue{RunID: r.ID, Kind: ButtonAck, Step: role, Seq: r.Seq},
	}}}
	return dm.DirectMessage(ctx, person, p, lang)
}

// Tell posts a notice, naming people, in the run's channel.
func (b *Bot) Tell(ctx context.Context, r *plan.Run, text string, mentions []plan.Person) error {
	s, ok := b.surface(r.Declared.Platform)
	if !ok {
		return fmt.Errorf("no surface for platform %q", r.Declared.Platform)
	}
	ch, r, err := b.ensureChannel(ctx, s, r)
	if err != nil {
		return err
	}
	_, err = s.Post(ctx, ch, Part{Key: "notice", Text: text, Mentions: mentions}, b.runLang(r))
	return err
}
