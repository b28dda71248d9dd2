package sqlite

import (
	"context"
	"sync"
	"sync/atomic"
)

// Listen implements storage.Notifier. An embedded database has one
// process, so appends are announced in-process after they commit.
func (s *Store) Listen(ctx context.Context, fn func(runID string)) error {
	sub := s.hub.subscribe()
	defer s.hub.unsubscribe(sub)
	fn("")
	for {
		select {
		case <-ctx.Done():
			return nil
		case runID := <-sub.ch:
			if sub.missed.Swap(false) {
				fn("") // the buffer overflowed: some appends went unannounced
			}
			fn(runID)
		}
	}
}

// hub fans committed appends out to listeners without ever blocking an
// append: a listener that falls behind is told to refresh everything.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	ch     chan string
	missed atomic.Bool
}

func (h *hub) subscribe() *subscriber {
	sub := &subscriber{ch: make(chan string, 256)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[*subscriber]struct{}{}
	}
	h.subs[sub] = struct{}{}
	return sub
}

func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
}

func (h *hub) publish(runID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.ch <- runID:
		default:
			sub.missed.Store(true)
		}
	}
}
