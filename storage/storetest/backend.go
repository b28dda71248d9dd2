package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// BackendFactory opens a fresh, migrated store with the given job
// configuration for one test, closed when the test ends.
type BackendFactory func(t *testing.T, jobs storage.JobsConfig) storage.Backend

// RunBackend checks what a store adds around the timeline: River jobs
// enqueued in the append's transaction, and the change feed.
func RunBackend(t *testing.T, newBackend BackendFactory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newBackend BackendFactory)
	}{
		{"runs a committed job that sees its events", testJobSeesEvents},
		{"enqueues nothing for a refused or replayed append", testNoJobWithoutAppend},
		{"reports attempts and their errors", testJobAttempts},
		{"cancels a job", testCancelJob},
		{"inserts without working when no queues", testInsertOnly},
		{"refuses jobs of unknown kinds with the events", testUnknownKind},
		{"tells listeners of appends", testListen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newBackend) })
	}
}

// probeArgs is the suite's job: it loads its run and reports what it saw.
type probeArgs struct {
	RunID  string `json:"run_id"`
	Marker string `json:"marker"`
	Fail   bool   `json:"fail"`
}

func (probeArgs) Kind() string { return "storetest.probe" }

type sighting struct {
	marker string
	events int
	err    error
}

type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	store storage.Store
	seen  chan sighting
}

func (w *probeWorker) Work(ctx context.Context, job *river.Job[probeArgs]) error {
	events, err := w.store.Load(ctx, job.Args.RunID)
	w.seen <- sighting{marker: job.Args.Marker, events: len(events), err: err}
	if job.Args.Fail {
		return errors.New("boom")
	}
	return nil
}

// working opens a backend working the default queue one job at a time
// with the probe worker.
func working(t *testing.T, newBackend BackendFactory) (storage.Backend, *probeWorker) {
	t.Helper()
	w := &probeWorker{seen: make(chan sighting, 16)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	b := newBackend(t, storage.JobsConfig{
		Workers: workers,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
	})
	w.store = b
	if err := b.StartJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b, w
}

func next(t *testing.T, seen <-chan sighting) sighting {
	t.Helper()
	select {
	case s := <-seen:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no job ran within 30s")
		return sighting{}
	}
}

func probe(marker string, opts *river.InsertOpts) []storage.Job {
	return []storage.Job{{Args: probeArgs{RunID: "r", Marker: marker, Fail: marker == "fail"}, Opts: opts}}
}

func testJobSeesEvents(t *testing.T, newBackend BackendFactory) {
	b, w := working(t, newBackend)
	res := mustAppend(t, b, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a"), event(0, "", "b")}, Jobs: probe("first", nil)})
	if len(res.JobIDs) != 1 || res.JobIDs[0] == 0 {
		t.Fatalf("JobIDs = %v, want one id", res.JobIDs)
	}
	if s := next(t, w.seen); s.marker != "first" || s.events != 2 || s.err != nil {
		t.Fatalf("job saw %+v, want its 2 events", s)
	}
}

func testNoJobWithoutAppend(t *testing.T, newBackend BackendFactory) {
	b, w := working(t, newBackend)
	ctx := context.Background()
	first := mustAppend(t, b, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "K", "a")}, Jobs: probe("first", nil)})
	if s := next(t, w.seen); s.marker != "first" {
		t.Fatalf("first job: %+v", s)
	}
	if _, err := b.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 0, Events: []plan.Event{event(0, "", "x")}, Jobs: probe("conflict", nil)}); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("conflicting append: %v", err)
	}
	replay, err := b.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 1, Events: []plan.Event{event(0, "K", "a")}, Jobs: probe("replay", nil)})
	if err != nil || !replay.Replayed || len(replay.JobIDs) != 1 || replay.JobIDs[0] != first.JobIDs[0] {
		t.Fatalf("replay = %+v, %v; want the first append's job id %v", replay, err, first.JobIDs)
	}
	// One worker, jobs in insertion order: had either been enqueued, it
	// would run before this one.
	mustAppend(t, b, storage.AppendRequest{RunID: "r", ExpectedSeq: 1, Events: []plan.Event{event(0, "", "b")}, Jobs: probe("after", nil)})
	if s := next(t, w.seen); s.marker != "after" || s.events != 2 {
		t.Fatalf("next job: %+v, want the one after", s)
	}
}

func testJobAttempts(t *testing.T, newBackend BackendFactory) {
	b, w := working(t, newBackend)
	failed, cancel := b.SubscribeJobs(river.EventKindJobFailed)
	defer cancel()
	res := mustAppend(t, b, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a")}, Jobs: probe("fail", &river.InsertOpts{MaxAttempts: 1})})
	next(t, w.seen)
	select {
	case ev := <-failed:
		if ev.Job.ID != res.JobIDs[0] {
			t.Fatalf("failure of job %d, want %d", ev.Job.ID, res.JobIDs[0])
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no failure reported within 30s")
	}
	job, err := b.Job(context.Background(), res.JobIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if job.Attempt != 1 || job.State != rivertype.JobStateDiscarded || len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Error, "boom") {
		t.Fatalf("job %+v: want 1 attempt, discarded, error boom", job)
	}
}

func testCancelJob(t *testing.T, newBackend BackendFactory) {
	b, _ := working(t, newBackend)
	ctx := context.Background()
	res := mustAppend(t, b, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a")},
		Jobs: probe("later", &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})})
	if err := b.CancelJob(ctx, res.JobIDs[0]); err != nil {
		t.Fatal(err)
	}
	job, err := b.Job(ctx, res.JobIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if job.State != rivertype.JobStateCancelled {
		t.Fatalf("job state %s, want cancelled", job.State)
	}
}

func testInsertOnly(t *testing.T, newBackend BackendFactory) {
	b := newBackend(t, storage.JobsConfig{})
	if err := b.StartJobs(context.Background()); err == nil {
		t.Fatal("StartJobs without queues succeeded")
	}
	res := mustAppend(t, b, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a")}, Jobs: probe("queued", nil)})
	job, err := b.Job(context.Background(), res.JobIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if job.State != rivertype.JobStateAvailable || job.Kind != "storetest.probe" {
		t.Fatalf("job %+v, want an available probe", job)
	}
}

type unknownArgs struct{}

func (unknownArgs) Kind() string { return "storetest.unknown" }

func testUnknownKind(t *testing.T, newBackend BackendFactory) {
	b, _ := working(t, newBackend)
	_, err := b.Append(context.Background(), storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a")},
		Jobs: []storage.Job{{Args: unknownArgs{}}}})
	if err == nil {
		t.Fatal("append with a job of an unknown kind succeeded")
	}
	if _, err := b.Load(context.Background(), "r"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the events were stored without their job: %v", err)
	}
}

func testListen(t *testing.T, newBackend BackendFactory) {
	b := newBackend(t, storage.JobsConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 16)
	done := make(chan error, 1)
	go func() { done <- b.Listen(ctx, func(runID string) { heard <- runID }) }()
	wait := func(want string) {
		t.Helper()
		for {
			select {
			case got := <-heard:
				if got == want {
					return
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("did not hear %q within 30s", want)
			}
		}
	}
	wait("") // listening
	mustAppend(t, b, storage.AppendRequest{RunID: "CONT-2026-0042", Events: []plan.Event{event(0, "", "a")}})
	wait("CONT-2026-0042")
	if _, err := b.Append(context.Background(), storage.AppendRequest{RunID: "CONT-2026-0042", ExpectedSeq: 0, Events: []plan.Event{event(0, "", "x")}}); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("conflicting append: %v", err)
	}
	mustAppend(t, b, storage.AppendRequest{RunID: "CONT-2026-0043", Events: []plan.Event{event(0, "", "a")}})
	if got := <-heard; got != "CONT-2026-0043" {
		t.Fatalf("heard %q after a refused append, want only the next committed one", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Listen returned %v after cancel, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Listen did not return after cancel")
	}
}
