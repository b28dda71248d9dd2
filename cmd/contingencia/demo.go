package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/bot/shell"
	"github.com/contingencia/contingencia/demo"
	"github.com/contingencia/contingencia/export"
)

func init() { commands = append(commands, newDemoCmd) }

// demoFlags are demo's flags.
type demoFlags struct {
	auto                bool
	database, plan, out string
	lang                string
}

func newDemoCmd(a *app) *cobra.Command {
	var f demoFlags
	c := &cobra.Command{
		Use:   "demo [--auto]",
		Short: "Run the plan against a simulated data centre, in the terminal, with no configuration and no network",
		Long: "demo starts a simulated world on this machine (a vCenter simulator seeded with the plan's servers and their\n" +
			"copies, and stand-ins for the services the plan's checks test) and the terminal adapter.\n" +
			"Without --auto it is an interactive session: type /contingencia commands, press buttons by number, and\n" +
			"switch responders with `como ROL` / `as ROLE`. With --auto it walks the whole plan by itself, then writes the\n" +
			"HTML report and verifies the run's hash chain.",
		Args: cobra.NoArgs,
	}
	c.Flags().BoolVar(&f.auto, "auto", false, "walk the whole plan by itself and exit")
	c.Flags().StringVar(&f.database, "database", os.Getenv("DATABASE_URL"), "store URL: postgres://… or sqlite:PATH (default $DATABASE_URL, else an embedded store in a temporary directory)")
	c.Flags().StringVar(&f.plan, "plan", os.Getenv("CONTINGENCIA_PLAN"), "plan file (env CONTINGENCIA_PLAN; default: the embedded Quipux plan)")
	c.Flags().StringVar(&f.lang, "lang", envOr("CONTINGENCIA_LANG", "es"), "language: es or en (env CONTINGENCIA_LANG)")
	c.Flags().StringVar(&f.out, "out", "", "directory for the report and exports (default: the demo's temporary directory, kept)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkLang(f.lang); err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runDemo(ctx, f, cmd.InOrStdin(), a.stdout, a.stderr)
	}
	return c
}

// runDemo starts the simulated world and the application over it, then
// runs the tour (--auto) or the interactive terminal.
func runDemo(ctx context.Context, f demoFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	began := time.Now()
	// The tour, the terminal adapter and the paging workers all print:
	// one write at a time.
	stdout = &syncWriter{w: stdout}
	lang := f.lang
	tmp, err := os.MkdirTemp("", "contingencia-demo-")
	if err != nil {
		return failf("creating the demo's temporary directory: %v", err)
	}
	out := f.out
	if out == "" {
		out = tmp // kept: it holds the report and the embedded store
	} else {
		defer os.RemoveAll(tmp)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return failf("creating %s: %v", out, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: demoLogLevel()}))
	p, err := loadRunPlan(f.plan)
	if err != nil {
		return failf("%v", err)
	}
	world, err := demo.Start(ctx, demo.Config{Plan: p, Dir: tmp, Logger: logger})
	if err != nil {
		return failf("starting the simulated world: %v", err)
	}
	defer world.Close()
	database := cmp.Or(f.database, "sqlite:"+filepath.Join(tmp, "contingencia-demo.db"))
	as, err := assemble(ctx, wiring{plan: world.Plan, database: database, lang: lang, logger: logger,
		providers: world.Providers, workers: true})
	if err != nil {
		return failf("%v", err)
	}
	sh, err := shell.New(shell.Config{In: stdin, Out: stdout, Plan: world.Plan, Lang: lang, OutDir: out, Echo: !f.auto && !isTerminal(stdin)}, as.bot)
	if err != nil {
		_ = as.store.Close()
		return failf("%v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := as.start(runCtx, true); err != nil {
		_ = as.store.Close()
		return failf("%v", err)
	}
	defer func() {
		cancel()
		if serr := as.stop(true); serr != nil {
			logger.Warn("stopping the demo", "err", serr)
		}
	}()
	printWorld(stdout, lang, world, p.Hash, tmp, database, f.database != "")
	if f.out == "" {
		defer fmt.Fprintln(stdout, tr(lang, "📁 Los archivos de la demostración (almacén, copias, informes) quedan en %s", "📁 The demo's files (store, copies, reports) are kept in %s", tmp))
	}
	if !f.auto {
		fmt.Fprintln(stdout, tr(lang, demoIntroES, demoIntroEN))
		if err := sh.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			return failf("%v", err)
		}
		return nil
	}
	t := &tour{ctx: runCtx, sh: sh, bot: as.bot, store: as.store, plan: world.Plan, lang: lang, out: stdout, deadline: began.Add(5 * time.Minute)}
	tourErr := t.run()
	if t.runID == "" {
		return failf("%v", tourErr)
	}
	ok := tourErr == nil
	if tourErr != nil {
		fmt.Fprintln(stdout, "❌", tourErr)
	}
	report := filepath.Join(out, t.runID+".html")
	if err := writeReport(runCtx, report, as, world, t.runID, lang); err != nil {
		fmt.Fprintln(stdout, "❌", err)
		ok = false
	} else {
		fmt.Fprintln(stdout, tr(lang, "📄 Informe HTML: %s", "📄 HTML report: %s", report))
	}
	res, err := verifyRun(runCtx, as.store, t.runID)
	switch {
	case err != nil:
		fmt.Fprintln(stdout, tr(lang, "❌ verificación de la cadena de %s: %v", "❌ verifying the chain of %s: %v", t.runID, err))
		ok = false
	case !res.OK():
		fmt.Fprintln(stdout, "❌ verify:", res)
		ok = false
	default:
		fmt.Fprintf(stdout, "🔗 verify --run %s: %s\n", t.runID, res)
	}
	if f.database != "" {
		fmt.Fprintln(stdout, tr(lang, "   Inspecciónela con: contingencia runs / export --run %s / verify --run %s (mismo --database).",
			"   Inspect it with: contingencia runs / export --run %s / verify --run %s (same --database).", t.runID, t.runID))
	}
	fmt.Fprintln(stdout, tr(lang, "⏱  Demostración completa en %.1f s.", "⏱  Demo finished in %.1f s.", time.Since(began).Seconds()))
	if !ok {
		return silent
	}
	return nil
}

// writeReport writes the run's HTML report to path.
func writeReport(ctx context.Context, path string, as *assembly, world *demo.World, runID, lang string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if _, err := export.Write(ctx, f, export.HTML, as.store, world.Plan, export.Options{RunID: runID, Lang: lang}); err != nil {
		f.Close()
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// printWorld describes the simulated world the demo runs against.
func printWorld(w io.Writer, lang string, world *demo.World, hash, dir, database string, external bool) {
	fmt.Fprintln(w, tr(lang, "🧪 contingencia demo — mundo simulado en esta máquina (no sale nada a la red)",
		"🧪 contingencia demo — a simulated world on this machine (nothing goes to the network)"))
	fmt.Fprintln(w, tr(lang, "   vCenter simulado (govmomi, modelo VPX): %s · %d servidores con su copia OVF/OVA simulada en %s",
		"   Simulated vCenter (govmomi, VPX model): %s · %d servers with their simulated OVF/OVA copy in %s",
		world.VCenterURL, len(world.Plan.Servers), filepath.Join(dir, "copias")))
	targets := world.Dialer.Targets()
	names := make([]string, 0, len(targets))
	for k := range targets {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintln(w, tr(lang, "   Servicios simulados para las pruebas (HTTPS con una CA de demostración, TCP, DNS, SMTP, PostgreSQL), %d direcciones:",
		"   Simulated services for the checks (HTTPS with a demo CA, TCP, DNS, SMTP, PostgreSQL), %d addresses:", len(names)))
	for _, n := range names {
		fmt.Fprintf(w, "     %s → %s\n", n, targets[n])
	}
	store := tr(lang, "embebido (SQLite) en %s", "embedded (SQLite) at %s", database)
	if external {
		store = tr(lang, "el de --database/DATABASE_URL", "the one of --database/DATABASE_URL")
	}
	fmt.Fprintln(w, tr(lang, "   Almacén: %s", "   Store: %s", store))
	fmt.Fprintln(w, tr(lang, "   El plan de la demostración conserva el hash del plan original (%s): es el mismo texto; solo cambian sus enlaces con el mundo simulado (copias, DSN sin TLS, resolutor DNS).",
		"   The demo's plan keeps the original plan's hash (%s): same plan text; only its bindings to the simulated world differ (copies, DSNs without TLS, DNS resolver).", hash))
	fmt.Fprintln(w)
}

const demoIntroES = `Sesión interactiva. Usted actúa como cada responsable del plan:
  /contingencia activar         declara la contingencia (un formulario pregunta servicios, estrategia y evaluación)
  [N]  o  N                      pulsa el botón numerado N (Hecho, Ejecutar, Aprobar, Confirmar recepción…)
  como dba  ·  como líder        cambia de responsable (un rol, o «persona NOMBRE»)
  /contingencia estado · nota TEXTO · cerrar · exportar html · ayuda
  salir                          termina la demostración
Las acciones (despliegues OVF/OVA, verificación de configuración, pruebas) se ejecutan de verdad contra el mundo simulado.`

const demoIntroEN = `Interactive session. You act as every responder of the plan:
  /contingencia activate        declares the contingency (a form asks for services, strategy and assessment)
  [N]  or  N                     presses the numbered button N (Done, Run, Approve, Acknowledge…)
  as dba  ·  as leader           switches responder (a role, or "person NAME")
  /contingencia status · note TEXT · close · export html · help
  exit                           ends the demo
Actions (OVF/OVA deploys, configuration checks, functional tests) really run against the simulated world.`

// isTerminal reports whether r is a character device (an interactive
// terminal), so that piped input is echoed.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func demoLogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(envOr("CONTINGENCIA_LOG_LEVEL", "error"))); err != nil {
		return slog.LevelError
	}
	return l
}

// tr picks the Spanish or English text.
func tr(lang, es, en string, args ...any) string {
	s := es
	if lang == "en" {
		s = en
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// syncWriter serialises writes from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
