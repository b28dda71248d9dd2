package shell

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// TestScriptedRunInEnglish drives a whole run of the small plan through
// the script API, as `demo --auto` does, in English.
func TestScriptedRunInEnglish(t *testing.T) {
	f := setup(t, setupOptions{lang: "en"})
	ctx := context.Background()
	sh := f.shell
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, f.out.String())
		}
	}
	as := func(role string) { t.Helper(); must(t, sh.As(role)) }
	press := func(step string, kind bot.ButtonKind, reason string) {
		t.Helper()
		must(t, sh.Press(ctx, "CONT-2026-0001", step, kind, reason))
	}

	sh.Answer(FormAnswers{Services: []string{"Citizen portal"}, Assessment: "fire in the data centre"})
	must(t, sh.Type(ctx, "/contingencia activate"))
	const runID = "CONT-2026-0001"
	as("sysadmin")
	press("evaluacion/evaluar", bot.ButtonDone, "")
	as("leader")
	press("evaluacion/activar", bot.ButtonDone, "")
	if err := sh.Press(ctx, runID, "evaluacion/activar", bot.ButtonApprove, ""); !errors.Is(err, ErrRefused) {
		t.Fatalf("the requester approving: %v, want ErrRefused", err)
	}
	as("person Beto Suplente")
	press("evaluacion/activar", bot.ButtonApprove, "")
	as("Leader") // a role's English name
	press("restaurar/prioridades", bot.ButtonPriorities, "")
	for _, srv := range []string{"db", "app", "web"} {
		as("sysadmin")
		press("restaurar/desplegar@"+srv, bot.ButtonRun, "")
		as("leader")
		press("restaurar/desplegar@"+srv, bot.ButtonApprove, "")
		f.finish(t, runID, "restaurar/desplegar@"+srv, true, "deployed")
		as("sysadmin")
		press("restaurar/verificar-configuracion@"+srv, bot.ButtonRun, "")
		f.finish(t, runID, "restaurar/verificar-configuracion@"+srv, true, "as documented")
	}
	as("dba")
	press("restaurar/verificar-bd@db", bot.ButtonSkip, "")
	as("sysadmin")
	press("pruebas/portal-responde", bot.ButtonRun, "")
	f.finish(t, runID, "pruebas/portal-responde", true, "200 OK")
	as("leader")
	press("pruebas/cerrar", bot.ButtonDone, "")
	must(t, sh.Type(ctx, "/contingencia close"))
	press("", bot.ButtonClose, "")

	if err := sh.Press(ctx, runID, "pruebas/cerrar", bot.ButtonDone, ""); !errors.Is(err, ErrNotShown) {
		t.Fatalf("pressing a button of a closed run: %v, want ErrNotShown", err)
	}
	out := f.out.String()
	inOrder(t, out,
		"[Ana Líder] /contingencia activate",
		"── Activate contingency", "Affected services [Citizen portal]: Citizen portal", "Damage assessment (", "): fire in the data centre",
		"(only you) Contingency CONT-2026-0001 declared.",
		"# channel cont-2026-0001 created; members:",
		"── 🚨 Contingency CONT-2026-0001 · Minimal contingency plan",
		"📌 Pinned: 🚨 Contingency CONT-2026-0001",
		"👤 You are now acting as Diego Sistemas (System Administrator).",
		"[Diego Sistemas] presses «Done» on Assess the damage",
		"[Ana Líder] presses «Approve» on ⏳ Approval request: Activate the plan · whole run", "Confirm? (y/n) y", "(only you) ⛔",
		"[Beto Suplente] presses «Approve» on", "Confirm? (y/n) y",
		"[Diego Sistemas] presses «Run» on Deploy the server from its copy · db",
		"   Confirm? This runs \"Deploy the server from its copy\" on db. It needs approval from Leader.", "Confirm? (y/n) y",
		"[Ana Líder] presses «Close contingency» on CONT-2026-0001", "Confirm? (y/n) y",
		"(only you) ✅ CONT-2026-0001 closed.",
		"State: closed",
	)
	if strings.Contains(out, "Motivo") || strings.Contains(out, "solo usted") {
		t.Fatalf("Spanish text in an English terminal:\n%s", out)
	}
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State() != plan.StateClosed || r.Declared.Assessment != "fire in the data centre" || strings.Join(r.Declared.Services, ",") != "portal" {
		t.Fatalf("run %s, declared %+v", r.State(), r.Declared)
	}
	if r.Declared.Lang != "en" {
		t.Fatalf("the run was declared in %q, want en", r.Declared.Lang)
	}
}

// TestDirectMessageIsAcknowledgedByNumber pages a person on the terminal
// and acknowledges it by pressing the page's numbered button as them.
func TestDirectMessageIsAcknowledgedByNumber(t *testing.T) {
	f := setup(t, setupOptions{in: "como dba\n"})
	ctx := context.Background()
	sh := f.shell
	sh.Answer(FormAnswers{Assessment: "inundación"})
	if err := sh.Type(ctx, "/contingencia activar portal"); err != nil {
		t.Fatal(err)
	}
	r, err := f.bot.Load(ctx, "CONT-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	carla := f.plan.Roles[1].People[0]
	if err := f.bot.DirectMessage(ctx, r, carla, "dba", "Contingencia CONT-2026-0001", "Se le necesita como *Administrador de Base de Datos*."); err != nil {
		t.Fatal(err)
	}
	out := f.out.String()
	inOrder(t, out, "📟 14:00 DM a Carla Datos: Contingencia CONT-2026-0001",
		"   Se le necesita como Administrador de Base de Datos.", "[27] Confirmar recepción")

	if err := sh.Type(ctx, "27"); !errors.Is(err, ErrRefused) {
		t.Fatalf("Ana acknowledging Carla's page: %v, want ErrRefused", err)
	}
	if err := sh.Run(ctx); err != nil { // reads "como dba"
		t.Fatal(err)
	}
	if err := sh.Type(ctx, "27"); err != nil {
		t.Fatal(err)
	}
	inOrder(t, f.out.String(), "[Ana Líder] 27", "(solo usted) ⛔",
		"👤 Ahora actúa como Carla Datos", "[Carla Datos] 27", "[Carla Datos] pulsa «Confirmar recepción» en Contingencia CONT-2026-0001",
		"(solo usted) ✅ Acuse registrado.", "✅ Carla Datos (Administrador de Base de Datos)")
	if err := sh.Type(ctx, "27"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(f.out.String(), "No hay ningún botón [27] a la vista.\n") {
		t.Fatalf("an acknowledged page's button is still shown:\n%s", f.out.String())
	}
	r, err = f.bot.Load(ctx, "CONT-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pages) != 1 || !r.Pages[0].Acknowledged || r.Pages[0].Person != "Carla Datos" {
		t.Fatalf("pages %+v", r.Pages)
	}
}

// TestRunEndsWithItsContext stops a REPL waiting on a terminal that has
// not typed anything.
func TestRunEndsWithItsContext(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close() // ends the abandoned read
	f := setup(t, setupOptions{})
	f.shell.cfg.In = pr
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- f.shell.Run(ctx) }()
	if _, err := pw.Write([]byte("quien\n")); err != nil { // returns once Run has read it
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	f := setup(t, setupOptions{})
	tests := []struct {
		name string
		cfg  Config
		b    *bot.Bot
	}{
		{"without a bot", Config{}, nil},
		{"in an unknown language", Config{Lang: "fr"}, f.bot},
		{"with a plan without leaders", Config{Plan: &plan.Plan{}}, f.bot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, tt.b); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}

// TestActingAsSomeoneAssignedDuringTheRun lets the keyboard act as a
// person from outside the plan once a leader assigns them a role.
func TestActingAsSomeoneAssignedDuringTheRun(t *testing.T) {
	f := setup(t, setupOptions{})
	ctx := context.Background()
	sh := f.shell
	if err := sh.Type(ctx, "/contingencia activar portal"); err != nil {
		t.Fatal(err)
	}
	if err := sh.As("persona Zoe"); err != nil {
		t.Fatal(err)
	}
	if err := sh.Press(ctx, "CONT-2026-0001", "evaluacion/evaluar", bot.ButtonStart, ""); !errors.Is(err, ErrRefused) {
		t.Fatalf("Zoe before the assignment: %v, want ErrRefused", err)
	}
	for _, line := range []string{"como líder", "asignar sysadmin @Zoe", "como persona Zoe"} {
		if err := sh.Type(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	if err := sh.Press(ctx, "CONT-2026-0001", "evaluacion/evaluar", bot.ButtonStart, ""); err != nil {
		t.Fatalf("Zoe after the assignment: %v\n%s", err, f.out.String())
	}
	inOrder(t, f.out.String(), "👤 Ahora actúa como Zoe (sin rol en el plan).", "(solo usted) ⛔",
		"(solo usted) 👤 Zoe asume el rol Administrador del Sistema", "[Zoe] pulsa «Iniciar» en Evaluar los daños",
		"🔄 Evaluar los daños · Administrador del Sistema · Zoe desde las 14:00 UTC")
}
