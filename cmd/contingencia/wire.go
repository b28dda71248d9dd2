package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia"
	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/page"
	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/export"
	"github.com/contingencia/contingencia/metrics"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

// wiring says how to assemble the application; serve and demo fill it
// from their flags and environment.
type wiring struct {
	planPath string // "" = the embedded Quipux plan
	// plan, when set, is used as it is instead of loading planPath (the
	// demo's plan, bound to its simulated world).
	plan      *plan.Plan
	database  string // "" = sqlite:contingencia.db
	lang      string
	logger    *slog.Logger
	now       func() time.Time
	providers []actions.Provider // executors (vSphere, checks)
	email     *page.Email        // nil = no e-mail pages
	// workers runs the action and paging queues in this process.
	workers bool
	// actionWorkers bounds concurrent actions (default 8).
	actionWorkers int
}

// assembly is the assembled application.
type assembly struct {
	plan     *plan.Plan
	store    stores.DB
	registry *actions.Registry
	bot      *bot.Bot
	metrics  *prometheus.Registry
	logger   *slog.Logger
}

// loadRunPlan loads the plan file, or the embedded Quipux plan when path is
// empty, checking actions against the real catalog.
func loadRunPlan(path string) (*plan.Plan, error) {
	if path == "" {
		return plan.Load(contingencia.DefaultPlanName, contingencia.DefaultPlan, actions.Catalog())
	}
	return plan.LoadFile(path, actions.Catalog())
}

// lateBot lets River workers be registered before the bot they report to
// exists (the bot needs the store, the store needs the workers).
type lateBot struct{ b *bot.Bot }

func (l *lateBot) Load(ctx context.Context, id string) (*plan.Run, error) { return l.b.Load(ctx, id) }
func (l *lateBot) Record(ctx context.Context, id string, c plan.Command, key string) error {
	return l.b.Record(ctx, id, c, key)
}
func (l *lateBot) DirectMessage(ctx context.Context, r *plan.Run, p plan.Person, role, title, text string) error {
	return l.b.DirectMessage(ctx, r, p, role, title, text)
}
func (l *lateBot) Tell(ctx context.Context, r *plan.Run, text string, m []plan.Person) error {
	return l.b.Tell(ctx, r, text, m)
}

// assemble opens the store with its job queues and builds the bot.
func assemble(ctx context.Context, w wiring) (*assembly, error) {
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	p := w.plan
	if p == nil {
		var err error
		if p, err = loadRunPlan(w.planPath); err != nil {
			return nil, err
		}
	}
	late := &lateBot{}
	pageCfg := page.Config{Recorder: late, Chat: page.ChatVia(late), Email: w.email, Now: w.now, Logger: w.logger, Lang: w.lang}
	pager, err := page.NewProvider(pageCfg)
	if err != nil {
		return nil, err
	}
	reg := actions.NewDefaultRegistry(append(slices.Clone(w.providers), pager)...)
	workers := river.NewWorkers()
	aw, err := actions.NewActionWorker(actions.WorkerConfig{Registry: reg, Recorder: late, Logger: w.logger, Now: w.now,
		Timeouts: map[string]time.Duration{"vsphere.": 30 * time.Minute, "check.": 2 * time.Minute}})
	if err != nil {
		return nil, err
	}
	river.AddWorker(workers, aw)
	var cleaner actions.DrillCleaner
	for _, pr := range w.providers {
		if c, ok := pr.(actions.DrillCleaner); ok {
			cleaner = c
		}
	}
	river.AddWorker(workers, &actions.TeardownWorker{Cleaner: cleaner, Recorder: late})
	if err := page.Workers(workers, pageCfg); err != nil {
		return nil, err
	}
	jobs := storage.JobsConfig{Workers: workers}
	if w.workers {
		n := w.actionWorkers
		if n <= 0 {
			n = 8
		}
		jobs.Queues = map[string]river.QueueConfig{actions.QueueActions: {MaxWorkers: n}, page.QueuePages: {MaxWorkers: 4}}
	}
	st, err := openStore(ctx, w.database, stores.Config{Logger: w.logger, Jobs: jobs})
	if err != nil {
		return nil, err
	}
	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	b, err := bot.New(bot.Config{
		Plan: p, Store: st, Lang: w.lang, Now: w.now, Logger: w.logger, Metrics: metrics.New(promReg),
		Jobs: func(r *plan.Run, evs []plan.Event) ([]storage.Job, error) {
			a, err := actions.JobsFor(r, evs)
			if err != nil {
				return nil, err
			}
			pg, err := page.JobsFor(r, evs)
			return append(a, pg...), err
		},
		Preflight: func(ctx context.Context, r *plan.Run, it *plan.Item) (string, map[string]string, error) {
			req, err := actions.RequestFor(r, it)
			if err != nil {
				return "", nil, err
			}
			pf, planned, err := reg.Preflight(ctx, req)
			if err != nil || !planned {
				return "", nil, err
			}
			return pf.Summary, pf.Facts, nil
		},
		Cancel: st.CancelJob,
		Export: func(ctx context.Context, out io.Writer, runID, format, lang string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return err
			}
			_, err = export.Write(ctx, out, f, st, p, export.Options{RunID: runID, Lang: lang, Now: w.now})
			return err
		},
		Readiness: func(ctx context.Context, lang string) (string, error) {
			return readinessText(ctx, reg, p, lang, w.now)
		},
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	late.b = b
	return &assembly{plan: p, store: st, registry: reg, bot: b, metrics: promReg, logger: w.logger}, nil
}

// start runs the bot's publisher and, when configured, the job workers.
func (a *assembly) start(ctx context.Context, workers bool) error {
	if err := a.bot.Start(ctx); err != nil {
		return err
	}
	if workers {
		if err := a.store.StartJobs(ctx); err != nil {
			return fmt.Errorf("starting the job workers: %w", err)
		}
	}
	return nil
}

// stop lets running jobs finish (or releases them), then stops the bot and
// closes the store.
func (a *assembly) stop(workers bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if workers {
		errs = append(errs, a.store.StopJobs(ctx))
	}
	a.bot.Stop()
	errs = append(errs, a.store.Close())
	return errors.Join(errs...)
}

// envOr returns the environment variable, or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envBool reads a true/false environment variable (unset or empty:
// false); anything else is an error that names it.
func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: use true or false", name, v)
	}
	return b, nil
}

// readinessText runs the plan's §8.1 checks and renders their table.
func readinessText(ctx context.Context, reg *actions.Registry, p *plan.Plan, lang string, _ func() time.Time) (string, error) {
	return actions.ReadinessTable(p, actions.CheckReadiness(ctx, reg, p), lang), nil
}
