package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Jobs is the job queue that comes with a store: River on the store's own
// database, whatever the driver. Jobs are enqueued by Append (AppendRequest.
// Jobs), in the same transaction as their events.
type Jobs interface {
	// StartJobs starts working the queues of JobsConfig with its Workers.
	// It fails for an insert-only queue (no Queues configured).
	StartJobs(ctx context.Context) error
	// StopJobs lets running jobs finish for SoftStopTimeout, then cancels
	// them, and waits until the workers stopped or ctx is done.
	StopJobs(ctx context.Context) error
	// CancelJob cancels a job: a queued one never runs, a running one sees
	// its context cancelled.
	CancelJob(ctx context.Context, id int64) error
	// Job reports a job's state, its attempts and their errors.
	Job(ctx context.Context, id int64) (*rivertype.JobRow, error)
	// SubscribeJobs delivers River's events of the given kinds (all when
	// none) from this process's workers until cancel is called.
	SubscribeJobs(kinds ...river.EventKind) (events <-chan *river.Event, cancel func())
}

// Notifier tells of appended events, including those appended by other
// replicas when the store is shared (PostgreSQL LISTEN/NOTIFY).
type Notifier interface {
	// Listen calls fn with the run id of each committed append until ctx
	// is done, then returns nil. It calls fn("") once it is listening and
	// again after it had to reconnect: notifications may have been missed
	// then, so the caller refreshes every run it shows. fn runs on
	// Listen's goroutine and should not block for long.
	Listen(ctx context.Context, fn func(runID string)) error
}

// Backend is an opened store with its job queue and its change feed:
// what `serve` wires together.
type Backend interface {
	Store
	Jobs
	Notifier
}

// JobsConfig configures the River client a store creates. The zero value
// is an insert-only client that accepts any job kind.
type JobsConfig struct {
	// Workers are the job kinds this process can run; when set, Append
	// refuses jobs of unknown kinds.
	Workers *river.Workers
	// Queues to work; none means this process only inserts jobs.
	Queues map[string]river.QueueConfig
	// FetchCooldown is the shortest time between two fetches of a queue
	// (default 10ms: commit → start is ~9ms under load, not ~100ms).
	FetchCooldown time.Duration
	// FetchPollInterval is how often queues are polled when no
	// notification came (default 100ms).
	FetchPollInterval time.Duration
	// SoftStopTimeout is how long StopJobs lets running jobs finish before
	// cancelling them (default 10s).
	SoftStopTimeout time.Duration
	// MaxAttempts is the default number of attempts of a job (River's
	// default 25 when zero).
	MaxAttempts int
	// JobTimeout bounds one attempt (River's default 1m when zero; -1 for
	// none).
	JobTimeout time.Duration
	// RetryPolicy overrides River's attempt⁴ seconds backoff.
	RetryPolicy river.ClientRetryPolicy
	// ErrorHandler hears of job errors and panics.
	ErrorHandler river.ErrorHandler
	// ID names this client among replicas (River generates one if empty).
	ID string
}

// Defaults of JobsConfig.
const (
	DefaultFetchCooldown     = 10 * time.Millisecond
	DefaultFetchPollInterval = 100 * time.Millisecond
	DefaultSoftStopTimeout   = 10 * time.Second
)

// riverConfig turns c into River's configuration for a database schema.
func (c JobsConfig) riverConfig(schema string, logger *slog.Logger) *river.Config {
	cfg := &river.Config{
		Workers:           c.Workers,
		FetchCooldown:     cmp.Or(c.FetchCooldown, DefaultFetchCooldown),
		FetchPollInterval: cmp.Or(c.FetchPollInterval, DefaultFetchPollInterval),
		MaxAttempts:       c.MaxAttempts,
		JobTimeout:        c.JobTimeout,
		RetryPolicy:       c.RetryPolicy,
		ErrorHandler:      c.ErrorHandler,
		ID:                c.ID,
		Logger:            logger,
		Schema:            schema,
	}
	if len(c.Queues) > 0 {
		cfg.Queues = c.Queues
	}
	return cfg
}

// RiverJobs is the River client of a store, generic over the driver's
// transaction type; storage/postgres and storage/sqlite embed it.
type RiverJobs[TTx any] struct {
	client   *river.Client[TTx]
	working  bool
	softStop time.Duration

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
}

// NewRiverJobs creates the River client of a store on driver.
func NewRiverJobs[TTx any](driver riverdriver.Driver[TTx], cfg JobsConfig, schema string, logger *slog.Logger) (*RiverJobs[TTx], error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client, err := river.NewClient(driver, cfg.riverConfig(schema, logger))
	if err != nil {
		return nil, fmt.Errorf("creating the job queue client: %w", err)
	}
	return &RiverJobs[TTx]{
		client:   client,
		working:  len(cfg.Queues) > 0,
		softStop: cmp.Or(cfg.SoftStopTimeout, DefaultSoftStopTimeout),
	}, nil
}

// Client is the underlying River client, for what Jobs does not cover
// (subscriptions, queue pauses).
func (j *RiverJobs[TTx]) Client() *river.Client[TTx] { return j.client }

// InsertTx enqueues jobs in tx and returns their ids in order. A unique
// job that already exists yields the existing job's id.
func (j *RiverJobs[TTx]) InsertTx(ctx context.Context, tx TTx, jobs []Job) ([]int64, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, job := range jobs {
		if job.Args == nil {
			return nil, fmt.Errorf("enqueueing job %d: no job args", i)
		}
		params[i] = river.InsertManyParams{Args: job.Args, InsertOpts: job.Opts}
	}
	res, err := j.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, fmt.Errorf("enqueueing %d job(s): %w", len(jobs), err)
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	return ids, nil
}

// StartJobs implements Jobs.
func (j *RiverJobs[TTx]) StartJobs(ctx context.Context) error {
	if !j.working {
		return errors.New("starting jobs: no queues configured (insert-only job client)")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started {
		return nil
	}
	// River stops hard when its start context ends; the workers live until
	// StopJobs, not until the caller's ctx.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := j.client.Start(runCtx); err != nil {
		cancel()
		return fmt.Errorf("starting jobs: %w", err)
	}
	j.started, j.cancel = true, cancel
	return nil
}

// StopJobs implements Jobs.
func (j *RiverJobs[TTx]) StopJobs(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.started {
		return nil
	}
	defer func() { j.started = false; j.cancel() }()
	softCtx, cancel := context.WithTimeout(ctx, j.softStop)
	defer cancel()
	err := j.client.Stop(softCtx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopping jobs: %w", err)
	}
	// Jobs still running after the soft timeout: cancel their contexts.
	hardCtx, cancelHard := context.WithTimeout(context.WithoutCancel(ctx), j.softStop)
	defer cancelHard()
	if err := j.client.StopAndCancel(hardCtx); err != nil {
		return fmt.Errorf("stopping jobs (cancelling the ones still running): %w", err)
	}
	return nil
}

// CancelJob implements Jobs.
func (j *RiverJobs[TTx]) CancelJob(ctx context.Context, id int64) error {
	if _, err := j.client.JobCancel(ctx, id); err != nil {
		return fmt.Errorf("cancelling job %d: %w", id, err)
	}
	return nil
}

// Job implements Jobs.
func (j *RiverJobs[TTx]) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := j.client.JobGet(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("getting job %d: %w", id, err)
	}
	return row, nil
}

// SubscribeJobs implements Jobs.
func (j *RiverJobs[TTx]) SubscribeJobs(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if len(kinds) == 0 {
		kinds = []river.EventKind{
			river.EventKindJobCancelled, river.EventKindJobCompleted, river.EventKindJobFailed,
			river.EventKindJobSnoozed, river.EventKindQueuePaused, river.EventKindQueueResumed,
		}
	}
	return j.client.Subscribe(kinds...)
}
