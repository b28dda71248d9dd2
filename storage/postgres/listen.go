package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen implements storage.Notifier with LISTEN on a dedicated
// connection, reconnecting with backoff when it is lost.
func (s *Store) Listen(ctx context.Context, fn func(runID string)) error {
	const minBackoff = 100 * time.Millisecond
	backoff := minBackoff
	for {
		started := time.Now()
		err := s.listenOnce(ctx, fn)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) > time.Minute {
			backoff = minBackoff // it had been working: a fresh failure
		}
		s.logger.WarnContext(ctx, "listening for appended events failed; reconnecting", "error", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, fn func(runID string)) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquiring a connection to listen: %w", err)
	}
	// The connection leaves the pool: it keeps listening until closed.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing a listener
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listening on %s: %w", s.channel, err)
	}
	fn("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("waiting for notifications on %s: %w", s.channel, err)
		}
		fn(n.Payload)
	}
}
