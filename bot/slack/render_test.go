package slack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
	slackbot "github.com/contingencia/contingencia/bot/slack"
	"github.com/contingencia/contingencia/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var goldenNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func actor(p person) plan.Actor { return plan.Actor{Platform: "slack", UserID: p.ID, Name: p.Name} }

// buildRun folds commands into a run in memory, as the bot would.
func buildRun(tb testing.TB, p *plan.Plan, cmds ...plan.Command) *plan.Run {
	tb.Helper()
	r := plan.NewRun("CONT-2026-0007", p)
	for i, c := range cmds {
		at := goldenNow.Add(time.Duration(i) * time.Minute)
		evs, err := plan.Decide(r, c, at)
		if err != nil {
			tb.Fatalf("command %d (%s): %v", i, c.Name(), err)
		}
		for _, ev := range evs {
			ev.RunID, ev.Seq = r.ID, r.Seq+1
			if err := r.Apply(ev); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return r
}

func by(p person) plan.By { return plan.By{Who: actor(p)} }

func declare(services ...string) plan.Declare {
	return plan.Declare{By: by(ana), Services: services, Strategy: plan.StrategyOVF, Platform: "slack", Channel: originChannel,
		Assessment: "Incendio en el centro de datos; <!channel> & la SAN no responde."}
}

// golden compares v, as indented JSON, with testdata/golden/name.json.
func golden(tb testing.TB, name string, v any) {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		tb.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading %s (run with -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the rendering (run with -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want %s\n  got %s", i+1, a, b)
		}
	}
	return ""
}

type renderedPart struct {
	Key    string        `json:"key"`
	Blocks []slack.Block `json:"blocks"`
}

func renderView(r *plan.Run, lang string) []renderedPart {
	v := bot.Render(r, lang, goldenNow.Add(95*time.Minute), 0)
	out := make([]renderedPart, len(v.Parts))
	for i, p := range v.Parts {
		out[i] = renderedPart{Key: p.Key, Blocks: slackbot.PartBlocks(p, lang)}
	}
	return out
}

func TestRenderGolden(t *testing.T) {
	small, quipux := loadPlan(t, "small"), loadPlan(t, "quipux")
	cases := []struct {
		name string
		plan *plan.Plan
		lang string
		cmds []plan.Command
	}{
		{"small-declared-es", small, "es", []plan.Command{declare("portal", "api")}},
		{"small-approval-en", small, "en", []plan.Command{declare("portal", "api"),
			plan.CompleteStep{By: by(diego), Step: "evaluacion/evaluar"},
			plan.CompleteStep{By: by(ana), Step: "evaluacion/activar"}}},
		{"small-restoring-es", small, "es", []plan.Command{declare("portal"),
			plan.CompleteStep{By: by(diego), Step: "evaluacion/evaluar"},
			plan.CompleteStep{By: by(ana), Step: "evaluacion/activar"},
			plan.Approve{By: by(beto), Step: "evaluacion/activar"},
			plan.ConfirmPriorities{By: by(ana), Step: "restaurar/prioridades"},
			plan.SkipStep{By: by(ana), Step: "restaurar/desplegar@db", Reason: "Ya estaba levantado"},
			plan.RunStep{By: by(diego), Step: "restaurar/desplegar@app"}}},
		{"quipux-declared-es", quipux, "es", []plan.Command{plan.Declare{By: plan.By{Who: plan.Actor{Platform: "slack",
			UserID: "U0EJ00001", Name: "Ana Paredes"}}, Services: []string{"quipux", "firmaec", "gobec"}, Strategy: plan.StrategyOVF,
			Platform: "slack", Channel: originChannel, Assessment: "Pérdida total del centro de datos."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts := renderView(buildRun(t, tc.plan, tc.cmds...), tc.lang)
			for _, p := range parts {
				checkLimits(t, p.Key, p.Blocks)
			}
			golden(t, tc.name, parts)
		})
	}
	t.Run("activation-modal-es", func(t *testing.T) {
		f := &bot.Form{Drill: true, Lang: "es", Channel: originChannel, Selected: []string{"api"},
			Services:   []bot.Option{{Value: "portal", Label: "Portal ciudadano"}, {Value: "api", Label: "API de trámites"}},
			Strategies: []bot.Option{{Value: "ovf", Label: "copias OVF/OVA a través del proveedor"}, {Value: "library", Label: "rollback desde la librería de respaldos"}},
			Strategy:   "ovf", Title: "Iniciar simulacro", ServicesLabel: "Servicios afectados", StrategyLabel: "Estrategia de restauración",
			AssessmentLabel: "Evaluación de daños", AssessmentHint: "Qué pasó", DrillLabel: "Simulacro (no afecta producción)",
			Submit: "Activar", Cancel: "Cancelar"}
		golden(t, "activation-modal-es", slackbot.ActivationModal(f))
	})
	t.Run("reply-close-es", func(t *testing.T) {
		rep := bot.Reply{RunID: "CONT-2026-0007", Text: "Todas las pruebas están completas. ¿Poner en producción y cerrar CONT-2026-0007?",
			Buttons: []bot.Button{{Label: "Cerrar contingencia", Style: "primary",
				Value:   bot.ButtonValue{RunID: "CONT-2026-0007", Kind: bot.ButtonClose, Seq: 42},
				Confirm: &bot.Confirm{Title: "¿Cerrar la contingencia?", Text: "El incidente se da por finalizado.", OK: "Cerrar", Cancel: "Cancelar"}}}}
		golden(t, "reply-close-es", slackbot.ReplyBlocks(rep))
	})
	t.Run("reason-modal-en", func(t *testing.T) {
		golden(t, "reason-modal-en", slackbot.ReasonModal("CONT-2026-0007|reject|restaurar/desplegar@db|12", "Reject", "C0RUN0001", "en", ""))
	})
}

// checkLimits asserts the Block Kit limits a message must respect.
func checkLimits(tb testing.TB, key string, blocks []slack.Block) {
	tb.Helper()
	if len(blocks) > slackbot.MaxBlocks {
		tb.Errorf("%s: %d blocks, over %d", key, len(blocks), slackbot.MaxBlocks)
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > slackbot.MaxHeaderText {
				tb.Errorf("%s: header of %d characters", key, n)
			}
		case *slack.SectionBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > slackbot.MaxSectionText {
				tb.Errorf("%s: section of %d characters", key, n)
			}
		case *slack.ActionBlock:
			if len(b.Elements.ElementSet) > slackbot.MaxActions {
				tb.Errorf("%s: %d actions", key, len(b.Elements.ElementSet))
			}
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && utf8.RuneCountInString(btn.Text.Text) > slackbot.MaxButtonText {
					tb.Errorf("%s: button label of %d characters", key, utf8.RuneCountInString(btn.Text.Text))
				}
			}
		}
	}
}

func TestRenderTruncatesWithinBlockKitLimits(t *testing.T) {
	long := strings.Repeat("ñ", 5000)
	btn := func(i int) bot.Button {
		return bot.Button{Label: strings.Repeat("B", 100), Value: bot.ButtonValue{RunID: "CONT-2026-0007", Kind: bot.ButtonDone, Step: fmt.Sprint(i)},
			Confirm: &bot.Confirm{Title: long, Text: long, OK: long, Cancel: long}}
	}
	var rows []bot.Row
	for i := range 60 {
		rows = append(rows, bot.Row{Icon: "⬜", Title: long, Owner: "dba", Status: "pendiente", Buttons: []bot.Button{btn(i)}})
	}
	var many []bot.Button
	for i := range 30 {
		many = append(many, btn(i))
	}
	cases := []struct {
		name string
		part bot.Part
		lang string
		more string
	}{
		{"sixty rows in Spanish", bot.Part{Key: "x", Title: long, Text: long, Rows: rows, Buttons: many}, "es", "filas más"},
		{"sixty rows in English", bot.Part{Key: "x", Title: long, Rows: rows}, "en", "more rows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			blocks := slackbot.PartBlocks(tc.part, tc.lang)
			checkLimits(t, tc.name, blocks)
			raw := marshal(t, blocks)
			if !strings.Contains(string(raw), "…") || !strings.Contains(string(raw), tc.more) {
				t.Fatalf("no visible truncation in %s", raw[:200])
			}
			last := blocks[len(blocks)-1]
			if len(tc.part.Buttons) > 0 {
				if _, ok := last.(*slack.ActionBlock); !ok {
					t.Fatalf("the part's buttons are not kept last: %T", last)
				}
			}
		})
	}
	t.Run("a long reply reads on across sections", func(t *testing.T) {
		var lines []string
		for i := range 400 {
			lines = append(lines, fmt.Sprintf("• servicio %03d: 3/7 pasos, 🟢 dentro del RTO", i))
		}
		text := strings.Join(lines, "\n")
		blocks := slackbot.ReplyBlocks(bot.Reply{Text: text})
		checkLimits(t, "reply", blocks)
		var got []string
		for _, b := range blocks {
			got = append(got, b.(*slack.SectionBlock).Text.Text)
		}
		if len(blocks) < 2 || strings.Join(got, "\n") != text {
			t.Fatalf("%d sections that do not add up to the text", len(blocks))
		}
	})
	t.Run("mrkdwn control characters are escaped", func(t *testing.T) {
		blocks := slackbot.PartBlocks(bot.Part{Key: "x", Text: "<!channel> & <https://evil.example|x>"}, "es")
		raw := marshal(t, blocks)
		if strings.Contains(string(raw), "<!channel>") || !strings.Contains(string(raw), "&lt;!channel&gt; &amp;") {
			t.Fatalf("text not escaped: %s", raw)
		}
	})
}

// marshal encodes without escaping &, < and > (what Slack receives, decoded).
func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
