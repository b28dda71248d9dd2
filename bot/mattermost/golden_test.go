package mattermost

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The golden runs are the ones bot/slack renders (same plans, commands,
// run id and clock), so that both platforms show the same run.
var goldenNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

const (
	goldenChannel = "runchannel0000000000000000"
	originChannel = "townsquare0000000000000000"
)

func mmActor(username string) plan.By {
	return plan.By{Who: plan.Actor{Platform: Platform, UserID: "id-" + username, Name: username}}
}

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

func declare(services ...string) plan.Declare {
	return plan.Declare{By: mmActor("ana.lider"), Services: services, Strategy: plan.StrategyOVF, Platform: Platform, Channel: originChannel,
		Assessment: "Incendio en el centro de datos; <!channel> & la SAN no responde."}
}

// goldenAdapter renders with a fixed secret and public URL, so MACs and
// URLs are stable.
func goldenAdapter(tb testing.TB, p *plan.Plan) *Adapter {
	tb.Helper()
	b, err := bot.New(bot.Config{Plan: p, Store: sqliteStore(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	a, err := New(Config{URL: "https://chat.example.gob.ec", BotToken: "bot", CommandToken: "cmd", PublicURL: "https://contingencia.example.gob.ec",
		ActionSecret: "golden secret"}, b)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

type renderedPost struct {
	Key     string         `json:"key"`
	Message string         `json:"message"`
	Props   map[string]any `json:"props"`
}

func renderPosts(tb testing.TB, a *Adapter, r *plan.Run, lang string) []renderedPost {
	tb.Helper()
	v := bot.Render(r, lang, goldenNow.Add(95*time.Minute), 0)
	out := make([]renderedPost, len(v.Parts))
	for i, p := range v.Parts {
		post := a.render.post(goldenChannel, p, lang)
		checkPost(tb, p.Key, post)
		out[i] = renderedPost{Key: p.Key, Message: post.Message, Props: post.GetProps()}
	}
	return out
}

// checkPost asserts what the server checks on a post of the bot.
func checkPost(tb testing.TB, key string, p *model.Post) {
	tb.Helper()
	if n := utf8.RuneCountInString(p.Message); n > model.PostMessageMaxRunesV2 {
		tb.Errorf("%s: message of %d runes", key, n)
	}
	raw, _ := json.Marshal(p.GetProps())
	if n := utf8.RuneCount(raw); n > model.PostPropsMaxUserRunes {
		tb.Errorf("%s: props of %d runes", key, n)
	}
	ids := map[string]bool{}
	for _, att := range p.Attachments() {
		if err := att.IsValid(); err != nil {
			tb.Errorf("%s: attachment: %v", key, err)
		}
		for _, act := range att.Actions {
			if ids[act.Id] || strings.ContainsAny(act.Id, "-_") {
				tb.Errorf("%s: action id %q repeated or with - or _", key, act.Id)
			}
			ids[act.Id] = true
		}
	}
}

func TestRenderGolden(t *testing.T) {
	small := loadPlan(t, "small.yaml")
	quipux := loadPlan(t, "quipux.yaml")
	cases := []struct {
		name string
		plan *plan.Plan
		lang string
		cmds []plan.Command
	}{
		{"small-declared-es", small, "es", []plan.Command{declare("portal", "api")}},
		{"small-approval-en", small, "en", []plan.Command{declare("portal", "api"),
			plan.CompleteStep{By: mmActor("diego.sistemas"), Step: "evaluacion/evaluar"},
			plan.CompleteStep{By: mmActor("ana.lider"), Step: "evaluacion/activar"}}},
		{"small-restoring-es", small, "es", []plan.Command{declare("portal"),
			plan.CompleteStep{By: mmActor("diego.sistemas"), Step: "evaluacion/evaluar"},
			plan.CompleteStep{By: mmActor("ana.lider"), Step: "evaluacion/activar"},
			plan.Approve{By: mmActor("beto.suplente"), Step: "evaluacion/activar"},
			plan.ConfirmPriorities{By: mmActor("ana.lider"), Step: "restaurar/prioridades"},
			plan.SkipStep{By: mmActor("ana.lider"), Step: "restaurar/desplegar@db", Reason: "Ya estaba levantado"},
			plan.RunStep{By: mmActor("diego.sistemas"), Step: "restaurar/desplegar@app"}}},
		{"quipux-declared-es", quipux, "es", []plan.Command{plan.Declare{By: mmActor("ana.paredes"),
			Services: []string{"quipux", "firmaec", "gobec"}, Strategy: plan.StrategyOVF, Platform: Platform, Channel: originChannel,
			Assessment: "Pérdida total del centro de datos."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := goldenAdapter(t, tc.plan)
			golden(t, tc.name, renderPosts(t, a, buildRun(t, tc.plan, tc.cmds...), tc.lang))
		})
	}
	t.Run("activation-dialog-es", func(t *testing.T) {
		a := goldenAdapter(t, small)
		f := &bot.Form{Drill: true, Lang: "es", Channel: originChannel, Selected: []string{"api"},
			Services:   []bot.Option{{Value: "portal", Label: "Portal ciudadano"}, {Value: "api", Label: "API de trámites"}},
			Strategies: []bot.Option{{Value: "ovf", Label: "copias OVF/OVA a través del proveedor"}, {Value: "library", Label: "rollback desde la librería de respaldos"}},
			Strategy:   "ovf", Title: "Iniciar simulacro", ServicesLabel: "Servicios afectados", StrategyLabel: "Estrategia de restauración",
			AssessmentLabel: "Evaluación de daños", AssessmentHint: "Qué pasó", DrillLabel: "Simulacro (no afecta producción)",
			Submit: "Activar", Cancel: "Cancelar"}
		req := a.activationDialog("trigger", bot.Origin{Platform: Platform, UserID: "id-ana.lider", UserName: "ana.lider", ChannelID: originChannel}, f)
		if err := req.IsValid(); err != nil {
			t.Fatalf("the server would refuse the dialog: %v", err)
		}
		golden(t, "activation-dialog-es", req)
	})
	t.Run("reason-dialog-en", func(t *testing.T) {
		a := goldenAdapter(t, small)
		c := contextFor(bot.Button{Label: "Reject", NeedsReason: true, Value: bot.ButtonValue{RunID: "CONT-2026-0007", Kind: bot.ButtonReject,
			Step: "restaurar/desplegar@db", Seq: 12}}, goldenChannel, "en")
		req := a.clickDialog("trigger", bot.Origin{Platform: Platform, UserID: "id-beto.suplente", UserName: "beto.suplente"}, c)
		if err := req.IsValid(); err != nil {
			t.Fatalf("the server would refuse the dialog: %v", err)
		}
		golden(t, "reason-dialog-en", req)
	})
}

func loadPlan(tb testing.TB, name string) *plan.Plan {
	tb.Helper()
	p, err := plan.LoadFile(filepath.Join("..", "..", "testdata", "plans", name), nil)
	if err != nil {
		tb.Fatalf("loading %s: %v", name, err)
	}
	return p
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
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading %s (run with -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := range max(len(w), len(g)) {
			var a, b string
			if i < len(w) {
				a = w[i]
			}
			if i < len(g) {
				b = g[i]
			}
			if a != b {
				tb.Fatalf("%s differs from the rendering at line %d (run with -update to accept):\n want %s\n  got %s", path, i+1, a, b)
			}
		}
	}
}
