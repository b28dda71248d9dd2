package shell

import (
	"context"
	"fmt"
	"strings"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

var (
	_ bot.Surface         = (*Shell)(nil)
	_ bot.DirectMessenger = (*Shell)(nil)
)

// Platform names the terminal: shell.
func (s *Shell) Platform() string { return Platform }

// CreateChannel prints the run's channel and its members; the channel's
// id is its name.
func (s *Shell) CreateChannel(_ context.Context, spec bot.ChannelSpec) (string, error) {
	names := make([]string, len(spec.Members))
	for i, m := range spec.Members {
		names[i] = m.Name
	}
	s.show("", tr(s.lang, "# canal %s creado; miembros: %s", "# channel %s created; members: %s", spec.Name, strings.Join(names, ", ")))
	return spec.Name, nil
}

// Post prints a part in full and returns its reference.
func (s *Shell) Post(_ context.Context, channel string, p bot.Part, _ string) (string, error) {
	s.mu.Lock()
	s.next++
	ref := fmt.Sprintf("%s/%s.%d", channel, s.session, s.next)
	f := s.nums.frame(ref)
	text := s.st.render(p, f, false)
	f.commit()
	s.parts[ref] = &posted{channel: channel, part: p, text: text}
	s.mu.Unlock()
	s.show(append([]string{""}, text.full()...)...)
	return ref, nil
}

// Update prints what changed in a posted part: its title and the lines,
// rows and buttons that differ; nothing when nothing visible changed. A
// reference this terminal never printed (a previous process's) is gone.
func (s *Shell) Update(_ context.Context, _, ref string, p bot.Part, _ string) error {
	s.mu.Lock()
	m, ok := s.parts[ref]
	if !ok {
		s.mu.Unlock()
		return bot.ErrMessageGone
	}
	f := s.nums.frame(ref)
	text := s.st.render(p, f, m.pinned)
	f.commit()
	lines := text.changes(m.text, "↻")
	m.part, m.text = p, text
	s.mu.Unlock()
	if len(lines) > 0 {
		s.show(lines...)
	}
	return nil
}

// Pin marks a posted part: its title carries 📌 from now on.
func (s *Shell) Pin(_ context.Context, _, ref string) error {
	s.mu.Lock()
	m, ok := s.parts[ref]
	if !ok {
		s.mu.Unlock()
		return bot.ErrMessageGone
	}
	m.pinned = true
	if m.text.title != "" {
		m.text.title += " 📌"
	}
	title := m.part.Title
	s.mu.Unlock()
	s.show(tr(s.lang, "📌 Fijado: %s", "📌 Pinned: %s", title))
	return nil
}

// DirectMessage prints a page to a person, with its buttons numbered.
func (s *Shell) DirectMessage(_ context.Context, person plan.Person, p bot.Part, _ string) error {
	s.mu.Lock()
	s.next++
	ref := fmt.Sprintf("dm/%d", s.next)
	f := s.nums.frame(ref)
	text := s.st.render(bot.Part{Text: p.Text, Mentions: p.Mentions}, f, false)
	buttons := s.st.buttons(p.Buttons, p.Title, f)
	f.commit()
	s.mu.Unlock()
	when := s.cfg.Now().UTC().Format("15:04")
	lines := []string{"", tr(s.lang, "📟 %s DM a %s: %s", "📟 %s DM to %s: %s", when, person.Name, p.Title)}
	for _, l := range text.text {
		lines = append(lines, "   "+l)
	}
	if buttons != "" {
		lines = append(lines, "   "+buttons)
	}
	s.show(lines...)
	return nil
}
