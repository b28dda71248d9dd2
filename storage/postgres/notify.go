package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// notifier sends the NOTIFY of committed appends from one goroutine,
// coalescing the run ids that pile up within a short delay into one
// transaction. NOTIFY inside the append's transaction would serialise
// every appending commit, disk flush included, on PostgreSQL's
// notification lock: at 50 writers appends fell from about 40% of the raw
// INSERT rate to about 11%. The price is that a process dying between its
// commit and the send loses that notification; listeners catch up at their
// next refresh (and refresh everything whenever they reconnect).
type notifier struct {
	pool    *pgxpool.Pool
	channel string
	logger  *slog.Logger
	delay   time.Duration

	mu      sync.Mutex
	pending map[string]struct{}
	wake    chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
}

func newNotifier(pool *pgxpool.Pool, channel string, delay time.Duration, logger *slog.Logger) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{
		pool: pool, channel: channel, logger: logger, delay: delay,
		pending: map[string]struct{}{}, wake: make(chan struct{}, 1),
		stop: cancel, done: make(chan struct{}),
	}
	go n.run(ctx)
	return n
}

// add queues a run id; it never blocks.
func (n *notifier) add(runID string) {
	n.mu.Lock()
	n.pending[runID] = struct{}{}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// close sends what is pending and stops.
func (n *notifier) close() {
	n.stop()
	<-n.done
}

func (n *notifier) run(ctx context.Context) {
	defer close(n.done)
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n.flush(flushCtx)
	}()
	for {
		select {
		case <-n.wake:
		case <-ctx.Done():
			return
		}
		if n.delay > 0 {
			t := time.NewTimer(n.delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		n.flush(ctx)
	}
}

func (n *notifier) flush(ctx context.Context) {
	n.mu.Lock()
	ids := n.pending
	if len(ids) == 0 {
		n.mu.Unlock()
		return
	}
	n.pending = map[string]struct{}{}
	n.mu.Unlock()
	// One pipeline, one transaction, one commit for them all; a lost
	// notification is recovered from, so the commit need not wait for
	// the disk.
	runIDs := make([]string, 0, len(ids))
	for id := range ids {
		runIDs = append(runIDs, id)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SET LOCAL synchronous_commit TO off")
	b.Queue(`SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id`, n.channel, runIDs)
	b.Queue("COMMIT")
	if err := n.pool.SendBatch(ctx, b).Close(); err != nil && ctx.Err() == nil {
		n.logger.WarnContext(ctx, "notifying appended runs failed", "runs", len(ids), "error", err)
	}
}
