package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Config configures a Bot. The zero value of every optional field is a
// working default.
type Config struct {
	Plan   *plan.Plan    // required
	Store  storage.Store // required
	Lang   string        // "es" (default) or "en"
	Now    func() time.Time
	Logger *slog.Logger
	// Jobs turns freshly decided events into River jobs stored in the same
	// transaction (actions to run, pages to send, escalation timers). It
	// sees the run with the events already applied.
	Jobs func(r *plan.Run, events []plan.Event) ([]storage.Job, error)
	// Preflight produces the dry-run summary of a destructive action,
	// shown to the approver.
	Preflight func(ctx context.Context, r *plan.Run, it *plan.Item) (summary string, facts map[string]string, err error)
	// Cancel stops a running action job.
	Cancel func(ctx context.Context, jobID int64) error
	// Export writes a run's timeline in a format (csv, json, md, html, pdf).
	Export func(ctx context.Context, w io.Writer, runID, format, lang string) error
	// Readiness runs the §8.1 backup checks and renders their table.
	Readiness func(ctx context.Context, lang string) (string, error)
	// MaxRows bounds the rows of a checklist message (DefaultMaxRows).
	MaxRows int
	// Workers is how many runs the publisher updates at once (4).
	Workers int
	// Metrics observes commands and clicks; nil records nothing.
	Metrics Observer
}

// Observer receives the outcome of every command and click, and every
// batch of events stored (r is the run after them; read it, keep nothing).
type Observer interface {
	Handled(kind, name, result string, d time.Duration)
	StoreError()
	Stored(r *plan.Run, events []plan.Event)
}

// Bot is the ChatOps application shared by every adapter.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	mu       sync.Mutex
	runs     map[string]*cachedRun
	surfaces map[string]Surface
	pub      *publisher
	// runList caches the run listing for commands that do not name
	// their run (see listRuns).
	runList   []storage.RunSummary
	runListAt time.Time
}

type cachedRun struct {
	mu  sync.Mutex // held while the run is read or a batch is committed
	run *plan.Run  // nil until loaded
	// where is what inChannel needs, once it never changes again.
	where atomic.Pointer[runWhere]

	qmu        sync.Mutex
	queue      []*pending // commands waiting for the committer
	committing bool       // a committer goroutine is draining queue
}

// New returns a bot; call Start to run its message publisher.
func New(cfg Config) (*Bot, error) {
	if cfg.Plan == nil || cfg.Store == nil {
		return nil, errors.New("bot: Plan and Store are required")
	}
	if cfg.Lang == "" {
		cfg.Lang = "es"
	}
	if cfg.Lang != "es" && cfg.Lang != "en" {
		return nil, fmt.Errorf("bot: language %q: use es or en", cfg.Lang)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRows <= 0 {
		cfg.MaxRows = DefaultMaxRows
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	b := &Bot{cfg: cfg, log: cfg.Logger, runs: map[string]*cachedRun{}, surfaces: map[string]Surface{}}
	b.pub = newPublisher(b)
	return b, nil
}

// Plan returns the plan the bot runs.
func (b *Bot) Plan() *plan.Plan { return b.cfg.Plan }

// Lang is the bot's default language.
func (b *Bot) Lang() string { return b.cfg.Lang }

// Register adds a platform's surface: where the bot posts run messages.
func (b *Bot) Register(s Surface) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.surfaces[s.Platform()] = s
}

func (b *Bot) surface(platform string) (Surface, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.surfaces[platform]
	return s, ok
}

func (b *Bot) cached(runID string) *cachedRun {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.runs[runID]
	if !ok {
		c = &cachedRun{}
		b.runs[runID] = c
	}
	return c
}

// read calls fn with the run brought up to date from the store, under the
// run's lock: fn reads it and keeps nothing. The first read loads the run;
// later ones apply only the events other writers appended since.
func (b *Bot) read(ctx context.Context, runID string, fn func(r *plan.Run) error) error {
	cr := b.cached(runID)
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.run == nil {
		r, err := b.Load(ctx, runID)
		if err != nil {
			return err
		}
		cr.run = r
	} else if err := b.cfg.Store.StreamAfter(ctx, runID, cr.run.Seq, cr.run.Apply); err != nil {
		cr.run = nil
		b.storeError()
		return fmt.Errorf("refreshing run %s: %w", runID, err)
	}
	return fn(cr.run)
}

// Load returns a fresh copy of a run from the store.
func (b *Bot) Load(ctx context.Context, runID string) (*plan.Run, error) {
	evs, err := b.cfg.Store.Load(ctx, runID)
	if err != nil {
		return nil, err
	}
	return plan.Replay(runID, b.cfg.Plan, evs)
}

// Outcome is the result of executing a command.
type Outcome struct {
	Seq      int64        // the run's last sequence number after the command
	Events   []plan.Event // the events stored (or, for a replay, stored before)
	Replayed bool         // the idempotency key was seen before: nothing new happened
	Refusal  *plan.Refusal
}

// maxConflicts bounds how often a command is retried when another writer
// appended to the same run first.
const maxConflicts = 50

// Execute decides a command on a run and stores its events, with key as
// the idempotency key of the delivery. A refusal is stored too (as
// command.refused) and returned in Outcome.Refusal, not as an error; an
// error means the store failed and nothing was acknowledged.
func (b *Bot) Execute(ctx context.Context, runID string, c plan.Command, key string) (Outcome, error) {
	cr := b.cached(runID)
	p := &pending{ctx: ctx, c: c, key: key, done: make(chan result, 1)}
	// Group commit: one committer per run stores every command queued
	// while it was busy in one transaction, so concurrent responders on
	// one run share a commit instead of waiting for one each. Callers
	// wait only for their own result, never for the lock.
	cr.qmu.Lock()
	cr.queue = append(cr.queue, p)
	start := !cr.committing
	cr.committing = true
	cr.qmu.Unlock()
	if start {
		go b.drain(runID, cr)
	}
	r := <-p.done
	return r.out, r.err
}

// drain commits the run's queued commands, batch after batch, until the
// queue is empty.
func (b *Bot) drain(runID string, cr *cachedRun) {
	for {
		cr.qmu.Lock()
		batch := cr.queue
		cr.queue = nil
		if len(batch) == 0 {
			cr.committing = false
			cr.qmu.Unlock()
			return
		}
		cr.qmu.Unlock()
		b.commitSafely(runID, cr, batch)
	}
}

// commitSafely is commit that survives a panic (a bug in deciding or
// planning jobs): the batch's callers get an error, the run is reloaded
// from the store next time, and the bot goes on.
func (b *Bot) commitSafely(runID string, cr *cachedRun, batch []*pending) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		cr.run = nil
		b.log.Error("committing commands panicked", "run", runID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		for _, p := range batch {
			if !p.sent {
				p.deliver(Outcome{}, fmt.Errorf("run %s: internal error while storing %s", runID, p.c.Name()))
			}
		}
	}()
	b.commit(runID, cr, batch)
}

// pending is a command waiting for its run's committer.
type pending struct {
	ctx  context.Context
	c    plan.Command
	key  string
	done chan result
	sent bool // only the committer reads and writes it
}

func (p *pending) deliver(out Outcome, err error) {
	p.sent = true
	p.done <- result{out, err}
}

type result struct {
	out Outcome
	err error
}

// commit stores a batch of commands of one run; cr.mu is held. More than
// one command go in one append when they can; anything unusual (a
// conflict, a replayed key, an invalid batch) falls back to storing them
// one by one, which handles every case.
func (b *Bot) commit(runID string, cr *cachedRun, batch []*pending) {
	if len(batch) > 1 {
		// The batch is shared: one caller's cancelled request must not
		// fail the others'.
		gctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), 30*time.Second)
		done := b.commitGroup(gctx, runID, cr, batch)
		cancel()
		if done {
			return
		}
	}
	for _, p := range batch {
		out, err := b.executeOne(p.ctx, runID, cr, p.c, p.key)
		p.deliver(out, err)
	}
}

// commitGroup decides every command of the batch in turn on the cached
// run and appends all their events at once. It reports false, having
// delivered nothing, when the batch must go one by one.
func (b *Bot) commitGroup(ctx context.Context, runID string, cr *cachedRun, batch []*pending) bool {
	if cr.run == nil {
		r, err := b.Load(ctx, runID)
		if err != nil {
			return false
		}
		cr.run = r
	}
	r := cr.run
	if r.Seq == 0 {
		return false // a run being declared: one by one
	}
	expected := r.Seq
	type decided struct {
		evs     []plan.Event
		refusal *plan.Refusal
		err     error
	}
	ds := make([]decided, len(batch))
	var all, forJobs []plan.Event
	for i, p := range batch {
		now := b.cfg.Now().UTC().Truncate(time.Microsecond)
		evs, err := plan.Decide(r, p.c, now)
		ref, refused := plan.AsRefusal(err)
		if err != nil && !refused {
			ds[i].err = err
			continue
		}
		if refused {
			evs = []plan.Event{plan.RefusalEvent(p.c, ref, now)}
			evs[0].RunID = runID
		}
		for j := range evs {
			if p.key != "" {
				evs[j].IdempotencyKey = p.key
				if j > 0 {
					evs[j].IdempotencyKey = p.key + "#" + strconv.Itoa(j)
				}
			}
		}
		if err := apply(r, evs); err != nil {
			cr.run = nil
			return false
		}
		ds[i] = decided{evs: evs, refusal: ref}
		all = append(all, evs...)
		if !refused {
			forJobs = append(forJobs, evs...)
		}
	}
	if len(all) == 0 {
		for i, p := range batch {
			p.deliver(Outcome{Seq: r.Seq, Refusal: ds[i].refusal}, ds[i].err)
		}
		return true
	}
	var jobs []storage.Job
	if b.cfg.Jobs != nil && len(forJobs) > 0 {
		var err error
		if jobs, err = b.cfg.Jobs(r, forJobs); err != nil {
			cr.run = nil
			return false
		}
	}
	res, err := b.cfg.Store.Append(ctx, storage.AppendRequest{RunID: runID, ExpectedSeq: expected, Events: all, Jobs: jobs, Meta: b.meta(r)})
	if err != nil || res.Replayed || len(res.Events) != len(all) {
		cr.run = nil // not stored as decided: one by one sorts it out
		return false
	}
	r.Head = res.Events[len(res.Events)-1].Hash
	if b.cfg.Metrics != nil {
		b.cfg.Metrics.Stored(r, res.Events)
	}
	stored := res.Events
	for i, p := range batch {
		n := len(ds[i].evs)
		evs := stored[:n:n]
		stored = stored[n:]
		if n > 0 {
			b.recorded(runID, p.c, ds[i].refusal != nil, evs, r.Seq)
		}
		p.deliver(Outcome{Seq: r.Seq, Events: evs, Refusal: ds[i].refusal}, ds[i].err)
	}
	return true
}

// recorded logs a stored command and re-renders the run when it changed
// what people see.
func (b *Bot) recorded(runID string, c plan.Command, refused bool, evs []plan.Event, seq int64) {
	switch c.(type) {
	case plan.Declare, plan.Close, plan.Abort:
		b.forgetRunList() // the set of open runs changed
	}
	if a := c.Actor(); a.Platform != plan.System.Platform {
		b.log.Info("recorded", "run", runID, "user", a.UserID, "user_name", a.Name, "platform", a.Platform,
			"command", c.Name(), "refused", refused, "events", len(evs), "seq", seq)
	}
	if !quiet(c) && !refused {
		b.pub.mark(runID) // a refusal changes nothing shown either
	}
}

// executeOne stores one command; cr.mu is held.
func (b *Bot) executeOne(ctx context.Context, runID string, cr *cachedRun, c plan.Command, key string) (Outcome, error) {
	original := key
	for range maxConflicts {
		if cr.run == nil {
			r, err := b.Load(ctx, runID)
			if errors.Is(err, storage.ErrNotFound) {
				r, err = plan.NewRun(runID, b.cfg.Plan), nil
			}
			if err != nil {
				b.storeError()
				return Outcome{}, fmt.Errorf("loading run %s: %w", runID, err)
			}
			cr.run = r
		}
		r := cr.run
		now := b.cfg.Now().UTC().Truncate(time.Microsecond) // what stores keep
		evs, err := plan.Decide(r, c, now)
		ref, refused := plan.AsRefusal(err)
		if err != nil && !refused {
			return Outcome{}, err
		}
		if refused {
			if r.Seq == 0 {
				return Outcome{Refusal: ref}, nil // nothing to record a refusal in
			}
			evs = []plan.Event{plan.RefusalEvent(c, ref, now)}
			evs[0].RunID = runID
		}
		if len(evs) == 0 {
			return Outcome{Seq: r.Seq}, nil
		}
		for i := range evs {
			if key != "" {
				evs[i].IdempotencyKey = key
				if i > 0 {
					evs[i].IdempotencyKey = key + "#" + strconv.Itoa(i)
				}
			}
		}
		expected := r.Seq
		if err := apply(r, evs); err != nil {
			cr.run = nil
			return Outcome{}, err
		}
		// Jobs are planned on the state the events lead to.
		var jobs []storage.Job
		if b.cfg.Jobs != nil && !refused {
			if jobs, err = b.cfg.Jobs(r, evs); err != nil {
				cr.run = nil
				return Outcome{}, fmt.Errorf("planning jobs for %s: %w", runID, err)
			}
		}
		res, err := b.cfg.Store.Append(ctx, storage.AppendRequest{
			RunID: runID, ExpectedSeq: expected, Events: evs, Jobs: jobs, Meta: b.meta(r),
		})
		if err != nil || res.Replayed {
			cr.run = nil // the cache holds events that were not stored
		}
		if errors.Is(err, storage.ErrConflict) {
			cr.run = nil // another writer got there first: reload and decide again
			continue
		}
		if errors.Is(err, storage.ErrKeyUsed) {
			// Stored before inside a shared commit: a repeated delivery.
			return Outcome{Replayed: true}, nil
		}
		if err != nil {
			b.storeError()
			return Outcome{}, fmt.Errorf("storing %s on %s: %w", c.Name(), runID, err)
		}
		if res.Replayed && key == original && isRefusal(res.Events) {
			// The same delivery was refused before. Things may have
			// changed since (a role handed over, a step finished): decide
			// again under a key bound to the run's state, which still
			// makes repeats at this state one delivery.
			key = original + "/after@" + strconv.FormatInt(expected, 10)
			continue
		}
		if res.Replayed {
			out := Outcome{Events: res.Events, Replayed: true}
			if len(res.Events) > 0 && res.Events[0].Type == plan.EventCommandRefused {
				out.Refusal = refusalFrom(res.Events[0])
			}
			return out, nil
		}
		if n := len(res.Events); n > 0 {
			r.Head = res.Events[n-1].Hash
		}
		if b.cfg.Metrics != nil {
			b.cfg.Metrics.Stored(r, res.Events)
		}
		b.recorded(runID, c, refused, res.Events, r.Seq)
		return Outcome{Seq: r.Seq, Events: res.Events, Refusal: ref}, nil
	}
	return Outcome{}, fmt.Errorf("run %s: too many concurrent changes, try again", runID)
}

func isRefusal(evs []plan.Event) bool {
	return len(evs) > 0 && evs[0].Type == plan.EventCommandRefused
}

// quiet commands change nothing the run's messages show (a note, an
// export, a posted message's reference): no re-render after them.
func quiet(c plan.Command) bool {
	switch c.(type) {
	case plan.RecordMessage, plan.AddNote, plan.Export:
		return true
	}
	return false
}

func refusalFrom(e plan.Event) *plan.Refusal {
	var p plan.CommandRefused
	_ = jsonUnmarshal(e.Payload, &p)
	return &plan.Refusal{Code: p.Code, Msg: plan.Text{ES: p.Reason}}
}

// apply folds not-yet-stored events into the cached run, so that the
// listing metadata stored with them reflects the state they lead to. The
// store assigns the real seq and hashes; the caller drops the cache when
// the append does not go through.
func apply(r *plan.Run, evs []plan.Event) error {
	for i, e := range evs {
		e.Seq = r.Seq + 1
		if err := r.Apply(e); err != nil {
			return fmt.Errorf("applying event %d of the batch: %w", i, err)
		}
	}
	return nil
}

func (b *Bot) meta(r *plan.Run) storage.RunMeta {
	return storage.RunMeta{PlanID: b.cfg.Plan.ID, PlanHash: b.cfg.Plan.Hash, State: string(r.State()),
		Drill: r.Declared.Drill, Services: r.Declared.Services}
}

func (b *Bot) storeError() {
	if b.cfg.Metrics != nil {
		b.cfg.Metrics.StoreError()
	}
}

// Start runs the publisher that posts and updates run messages until ctx
// ends; it also brings every open run's messages up to date, so a restart
// finishes what a previous process left half done.
func (b *Bot) Start(ctx context.Context) error {
	b.pub.start(ctx)
	runs, err := b.cfg.Store.ListRuns(ctx, storage.RunFilter{})
	if err != nil {
		return fmt.Errorf("listing runs to refresh: %w", err)
	}
	for _, r := range runs {
		if r.State != string(plan.StateClosed) && r.State != string(plan.StateAborted) {
			b.pub.mark(r.RunID)
		}
	}
	return nil
}

// Stop waits for the publisher to finish its current updates.
func (b *Bot) Stop() { b.pub.stop() }

// Flush waits until every pending message update has been attempted.
func (b *Bot) Flush(ctx context.Context) error { return b.pub.flush(ctx) }

// Refresh re-renders a run's messages (another replica changed it, or
// its elapsed time moved on).
func (b *Bot) Refresh(runID string) { b.pub.mark(runID) }

// Record executes a command reported by a worker (an action's start,
// progress or result; a page). A refusal is recorded in the timeline and
// logged, not returned: the worker's report was heard.
func (b *Bot) Record(ctx context.Context, runID string, c plan.Command, key string) error {
	out, err := b.Execute(ctx, runID, c, key)
	if err != nil {
		return err
	}
	if out.Refusal != nil {
		b.log.Warn("worker report refused", "run", runID, "command", c.Name(), "reason", out.Refusal.Msg.ES)
	}
	return nil
}
