package postgres

import "sync"

// headCache remembers the last seq and hash of runs this process appended
// to or read, so that the next append to them can be one statement (the
// database still checks the head: a stale entry only costs a slower
// retry). Bounded: it forgets everything when full.
type headCache struct {
	mu    sync.Mutex
	heads map[string]runHead
}

type runHead struct {
	seq  int64
	hash string
}

const headCacheSize = 10000

func (c *headCache) get(runID string) (runHead, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.heads[runID]
	return h, ok
}

func (c *headCache) put(runID string, seq int64, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.heads == nil || len(c.heads) >= headCacheSize {
		c.heads = make(map[string]runHead)
	}
	if h, ok := c.heads[runID]; ok && h.seq > seq {
		return // a concurrent append already moved it further
	}
	c.heads[runID] = runHead{seq: seq, hash: hash}
}

func (c *headCache) drop(runID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.heads, runID)
}

func (c *headCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heads = nil
}
