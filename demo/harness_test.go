package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/contingencia/contingencia"
	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/page"
	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/demo"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/sqlite"
)

// recorder lets the workers report to the bot created after the store.
type recorder struct{ b *bot.Bot }

func (r *recorder) Load(ctx context.Context, id string) (*plan.Run, error) { return r.b.Load(ctx, id) }
func (r *recorder) Record(ctx context.Context, id string, c plan.Command, key string) error {
	return r.b.Record(ctx, id, c, key)
}

// harness is the Quipux plan on a simulated world, with the registry of
// its executors; open starts a bot and job workers on a store in it.
type harness struct {
	world *demo.World
	dir   string
	reg   *actions.Registry
	rec   *recorder
}

// concurrent lets vSphere actions overlap (the benchmark; never under the
// race detector: the simulator is not safe then).
func newHarness(tb testing.TB, ctx context.Context, concurrent bool) *harness {
	tb.Helper()
	p, err := plan.Load(contingencia.DefaultPlanName, contingencia.DefaultPlan, actions.Catalog())
	if err != nil {
		tb.Fatal(err)
	}
	h := &harness{dir: tb.TempDir(), rec: &recorder{}}
	if h.world, err = demo.Start(ctx, demo.Config{Plan: p, Dir: h.dir, Concurrent: concurrent}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.world.Close)
	pager, err := page.NewProvider(page.Config{Recorder: h.rec})
	if err != nil {
		tb.Fatal(err)
	}
	h.reg = actions.NewDefaultRegistry(append(h.world.Providers, pager)...)
	return h
}

// open starts a bot and action workers (maxWorkers at once) on the
// harness's store file; closing and opening again is a process restart.
func (h *harness) open(tb testing.TB, ctx context.Context, maxWorkers int, softStop time.Duration) *sqlite.Store {
	tb.Helper()
	workers := river.NewWorkers()
	aw, err := actions.NewActionWorker(actions.WorkerConfig{Registry: h.reg, Recorder: h.rec})
	if err != nil {
		tb.Fatal(err)
	}
	river.AddWorker(workers, aw)
	st, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(h.dir, "harness.db"), Jobs: storage.JobsConfig{Workers: workers,
		Queues: map[string]river.QueueConfig{actions.QueueActions: {MaxWorkers: maxWorkers}},
		// SQLite has no LISTEN/NOTIFY: a freed step is found by polling.
		FetchPollInterval: 20 * time.Millisecond, SoftStopTimeout: softStop}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	b, err := bot.New(bot.Config{Plan: h.world.Plan, Store: st, Jobs: actions.JobsFor})
	if err != nil {
		tb.Fatal(err)
	}
	h.rec.b = b
	if err := b.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := st.StartJobs(ctx); err != nil {
		tb.Fatal(err)
	}
	return st
}
