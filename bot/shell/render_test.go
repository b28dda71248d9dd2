package shell

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// person returns the shell origin of a person of the plan, by name.
func (f *fixture) person(tb testing.TB, name string) bot.Origin {
	tb.Helper()
	p, err := f.shell.find("persona " + name)
	if err != nil {
		tb.Fatal(err)
	}
	return f.shell.origin(p)
}

// click presses, through the core, the button of kind on step as rendered now.
func (f *fixture) click(tb testing.TB, o bot.Origin, runID, step string, kind bot.ButtonKind, reason string) {
	tb.Helper()
	ctx := context.Background()
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range bot.Render(r, "es", f.clock.Now(), 0).Parts {
		bs := p.Buttons
		for _, row := range p.Rows {
			bs = append(bs, row.Buttons...)
		}
		for _, b := range bs {
			if b.Value.Step == step && b.Value.Kind == kind {
				rep, err := f.bot.Click(ctx, o, b.Value.String(), reason)
				if err != nil || rep.Refused {
					tb.Fatalf("click %s on %s: %+v %v", kind, step, rep, err)
				}
				return
			}
		}
	}
	tb.Fatalf("no %s button on %s", kind, step)
}

func (f *fixture) finish(tb testing.TB, runID, step string, ok bool, msg string) {
	tb.Helper()
	c := plan.ActionFinished{Step: step, OK: ok, Message: msg}
	if !ok {
		c.Error = msg
	}
	if err := f.bot.Record(context.Background(), runID, c, "job:"+step+":"+msg); err != nil {
		tb.Fatal(err)
	}
}

// TestRenderGolden renders a run of the small plan through several states
// as terminal text, numbering buttons across the states as the terminal
// does, and compares each with its golden file.
func TestRenderGolden(t *testing.T) {
	f := setup(t, setupOptions{})
	ctx := context.Background()
	ana, beto := f.person(t, "Ana Líder"), f.person(t, "Beto Suplente")
	carla, diego := f.person(t, "Carla Datos"), f.person(t, "Diego Sistemas")

	rep, err := f.bot.Activate(ctx, ana, bot.Activation{Services: []string{"portal", "api"}, Strategy: plan.StrategyOVF,
		Assessment: "incendio en el centro de datos", Channel: ChannelID})
	if err != nil || rep.RunID == "" {
		t.Fatalf("activate: %+v %v", rep, err)
	}
	runID := rep.RunID

	states := []struct {
		name string
		step func(t *testing.T)
	}{
		{"declared", func(*testing.T) {}},
		{"awaiting-approval", func(t *testing.T) {
			f.clock.advance(7 * time.Minute)
			f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonStart, "")
			f.click(t, diego, runID, "evaluacion/evaluar", bot.ButtonDone, "")
			f.clock.advance(3 * time.Minute)
			f.click(t, ana, runID, "evaluacion/activar", bot.ButtonDone, "")
		}},
		{"restoring", func(t *testing.T) {
			f.clock.advance(2 * time.Minute)
			f.click(t, beto, runID, "evaluacion/activar", bot.ButtonApprove, "")
			f.click(t, ana, runID, "restaurar/prioridades", bot.ButtonPriorities, "")
			f.click(t, diego, runID, "restaurar/desplegar@db", bot.ButtonRun, "")
			f.click(t, ana, runID, "restaurar/desplegar@db", bot.ButtonApprove, "")
		}},
		{"failed-and-skipped", func(t *testing.T) {
			f.clock.advance(75 * time.Minute)
			f.finish(t, runID, "restaurar/desplegar@db", false, "datastore lleno")
			f.click(t, carla, runID, "restaurar/verificar-bd@db", bot.ButtonSkip, "se verifica mañana")
		}},
	}
	nums := newNumbering()
	for i, s := range states {
		t.Run(s.name, func(t *testing.T) {
			s.step(t)
			r, err := f.bot.Load(ctx, runID)
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []string{"es", "en"} {
				var b strings.Builder
				st := style{}
				for _, p := range bot.Render(r, lang, f.clock.Now(), 0).Parts {
					fr := nums.frame(lang + "/" + p.Key)
					b.WriteString(strings.Join(st.render(p, fr, p.Pin).full(), "\n") + "\n\n")
					fr.commit()
				}
				golden(t, "render/"+string(rune('1'+i))+"-"+s.name+"."+lang+".txt", b.String())
			}
		})
	}
}

// TestUpdatesPrintOnlyWhatChanged checks the compact form of an update: a
// header line and a row whose status changed are printed again, their
// unchanged neighbours and the rest of the run are not, and an update that changes nothing visible
// (only the buttons' sequence) prints nothing.
func TestUpdatesPrintOnlyWhatChanged(t *testing.T) {
	f := setup(t, setupOptions{})
	ctx := context.Background()
	ana, diego := f.person(t, "Ana Líder"), f.person(t, "Diego Sistemas")
	rep, err := f.bot.Activate(ctx, ana, bot.Activation{Services: []string{"portal"}, Strategy: plan.StrategyOVF, Channel: ChannelID})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	posted := f.out.String()
	inOrder(t, posted, "# canal cont-2026-0001 creado; miembros: Ana Líder, Beto Suplente, Carla Datos, Diego Sistemas",
		"── 🚨 Contingencia CONT-2026-0001", "📌 Fijado: 🚨 Contingencia CONT-2026-0001", "── Evaluación de daños",
		"⬜ Evaluar los daños · Administrador del Sistema  [1] Iniciar  [2] Hecho  [3] Omitir")

	f.click(t, diego, rep.RunID, "evaluacion/evaluar", bot.ButtonStart, "")
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimPrefix(f.out.String(), posted)
	want := "↻ 🚨 Contingencia CONT-2026-0001 · Plan de contingencia mínimo 📌\n   Estado: evaluación de daños\n" +
		"↻ Evaluación de daños\n  🔄 Evaluar los daños · Administrador del Sistema · Diego Sistemas desde las 14:00 UTC  [2] Hecho  [3] Omitir\n"
	if got != want {
		t.Fatalf("the update printed\n%s\nwant\n%s", got, want)
	}

	if strings.Contains(got, "Restauración") || strings.Contains(got, "Avance") {
		t.Fatalf("unchanged parts or lines were printed again:\n%s", got)
	}

	// A note changes the run's sequence (every button's value) but nothing shown.
	before := f.out.String()
	if _, err := f.bot.Command(ctx, ana, "nota "+rep.RunID+" llamada al proveedor"); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimPrefix(f.out.String(), before); got != "" {
		t.Fatalf("an invisible change printed:\n%s", got)
	}
	// The buttons kept their numbers and carry their step's version: the
	// note did not change them.
	f.shell.mu.Lock()
	sh, ok := f.shell.nums.byNum[2]
	f.shell.mu.Unlock()
	r, _ := f.bot.Load(ctx, rep.RunID)
	it, _ := r.Item("evaluacion/evaluar")
	if !ok || sh.button.Value.Step != "evaluacion/evaluar" || sh.button.Value.Seq != it.Version || it.Version >= r.Seq {
		t.Fatalf("button 2 is %+v (step at version %d, run at seq %d)", sh, it.Version, r.Seq)
	}
	// Number 1 (Iniciar) is gone with its button, and never reused.
	f.shell.mu.Lock()
	_, stale := f.shell.nums.byNum[1]
	f.shell.mu.Unlock()
	if stale {
		t.Fatal("the number of a button no longer shown still presses it")
	}
}
