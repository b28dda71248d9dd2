package shell

import (
	"context"
	"fmt"
	"strings"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// FormAnswers pre-answers the next activation form (Answer). A zero field
// keeps the form's default: the services named in the command, the plan's
// first strategy, no assessment, a drill only for `simulacro`.
type FormAnswers struct {
	Services   []string // service ids or names
	Strategy   string   // ovf, library
	Assessment string
	Drill      bool
}

// fill asks the activation form's fields one by one, pre-filled with the
// form's defaults (or the answers given to Answer).
func (s *Shell) fill(ctx context.Context, f *bot.Form, ask asker) (bot.Activation, error) {
	s.mu.Lock()
	ans := s.answers
	s.answers = nil
	s.mu.Unlock()
	if ans == nil {
		ans = &FormAnswers{}
	}
	services := f.Selected
	if len(ans.Services) > 0 {
		services = ans.Services
	}
	strategy := f.Strategy
	if ans.Strategy != "" {
		strategy = ans.Strategy
	}
	drill := "n"
	if f.Drill || ans.Drill {
		drill = tr(s.lang, "s", "y")
	}

	s.say("── "+s.st.wrap(ansiBold, f.Title), "   "+f.ServicesLabel+": "+options(f.Services))
	def := strings.Join(services, ", ")
	got, err := ask(ctx, askServices, fmt.Sprintf("%s [%s]: ", f.ServicesLabel, def), def)
	if err != nil {
		return bot.Activation{}, err
	}
	a := bot.Activation{Services: pick(f.Services, splitList(f.Services, got)), Channel: f.Channel, Lang: f.Lang}
	if len(f.Strategies) > 0 {
		s.say("   " + f.StrategyLabel + ": " + options(f.Strategies))
		got, err = ask(ctx, askStrategy, fmt.Sprintf("%s [%s]: ", f.StrategyLabel, strategy), strategy)
		if err != nil {
			return bot.Activation{}, err
		}
		if p := pick(f.Strategies, []string{strings.TrimSpace(got)}); len(p) > 0 {
			a.Strategy = plan.Strategy(p[0])
		}
	}
	got, err = ask(ctx, askAssessment, fmt.Sprintf("%s (%s): ", f.AssessmentLabel, f.AssessmentHint), ans.Assessment)
	if err != nil {
		return bot.Activation{}, err
	}
	a.Assessment = strings.TrimSpace(got)
	got, err = ask(ctx, askDrill, fmt.Sprintf("%s %s [%s]: ", f.DrillLabel, tr(s.lang, "(s/n)", "(y/n)"), drill), drill)
	if err != nil {
		return bot.Activation{}, err
	}
	a.Drill = yes(strings.TrimSpace(got))
	return a, nil
}

// options lists a field's choices: value = label, …
func options(opts []bot.Option) string {
	list := make([]string, len(opts))
	for i, o := range opts {
		list[i] = o.Value + " = " + o.Label
	}
	return strings.Join(list, "; ")
}

// splitList splits an answer on commas; a piece that is not a choice's
// value or label is split on spaces too ("portal api").
func splitList(opts []bot.Option, s string) []string {
	var out []string
	for piece := range strings.SplitSeq(s, ",") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		if known(opts, piece) {
			out = append(out, piece)
			continue
		}
		out = append(out, strings.Fields(piece)...)
	}
	return out
}

func known(opts []bot.Option, s string) bool {
	for _, o := range opts {
		if strings.EqualFold(o.Value, s) || strings.EqualFold(o.Label, s) {
			return true
		}
	}
	return false
}

// pick maps answers to option values by value or label, keeping anything
// unknown as typed so that the bot can say what is wrong with it.
func pick(opts []bot.Option, answers []string) []string {
	var out []string
	for _, a := range answers {
		v := a
		for _, o := range opts {
			if strings.EqualFold(o.Value, a) || strings.EqualFold(o.Label, a) {
				v = o.Value
				break
			}
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
