package vsphere

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// Lazy is a vSphere provider for a bot that must start, and page people,
// while vCenter is down: the bot lives outside the data centre it helps
// recover, and vCenter may be one of the casualties. It logs in on first
// use; until it can, its executors and StatCopy fail with a transient
// error naming the cause, so River retries the actions, and it tries
// again at most every retryEvery.
type Lazy struct {
	cfg        Config
	retryEvery time.Duration

	mu      sync.Mutex
	c       *Client
	lastErr error
	lastTry time.Time
}

// NewLazy checks cfg (a URL with user and password) without connecting.
func NewLazy(cfg Config) (*Lazy, error) {
	if _, err := parseURL(cfg); err != nil {
		return nil, err
	}
	return &Lazy{cfg: cfg, retryEvery: 10 * time.Second}, nil
}

// Connect tries to log in now, e.g. at start-up to report vCenter's state.
func (l *Lazy) Connect(ctx context.Context) error {
	_, err := l.client(ctx)
	return err
}

func (l *Lazy) client(ctx context.Context) (*Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c != nil {
		return l.c, nil
	}
	now := time.Now()
	if l.lastErr != nil && now.Sub(l.lastTry) < l.retryEvery {
		return nil, l.lastErr
	}
	l.lastTry = now
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := Connect(cctx, l.cfg)
	if err != nil {
		l.lastErr = fmt.Errorf("vCenter no disponible (se reintenta): %w", err)
		return nil, l.lastErr
	}
	l.c, l.lastErr = c, nil
	if l.cfg.Logger != nil {
		l.cfg.Logger.Info("logged in to vSphere")
	}
	return c, nil
}

// Close logs out when logged in.
func (l *Lazy) Close(ctx context.Context) error {
	l.mu.Lock()
	c := l.c
	l.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close(ctx)
}

// StatCopy is Client.StatCopy once logged in.
func (l *Lazy) StatCopy(ctx context.Context, srv *plan.Server) (actions.CopyStat, error) {
	c, err := l.client(ctx)
	if err != nil {
		return actions.CopyStat{}, err
	}
	return c.StatCopy(ctx, srv)
}

// Executors returns the vSphere executors (actions.Provider); those with
// a dry run keep it.
func (l *Lazy) Executors() map[string]actions.Executor {
	out := map[string]actions.Executor{}
	for kind, e := range New(nil, Config{}).Executors() {
		le := lazyExec{l: l, kind: kind}
		if _, ok := e.(actions.Planner); ok {
			out[kind] = lazyPlanner{le}
		} else {
			out[kind] = le
		}
	}
	return out
}

type lazyExec struct {
	l    *Lazy
	kind string
}

func (e lazyExec) executor(ctx context.Context) (actions.Executor, error) {
	c, err := e.l.client(ctx)
	if err != nil {
		return nil, err
	}
	return c.Executors()[e.kind], nil
}

func (e lazyExec) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	ex, err := e.executor(ctx)
	if err != nil {
		return actions.Result{}, err
	}
	return ex.Execute(ctx, req)
}

type lazyPlanner struct{ lazyExec }

func (e lazyPlanner) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	ex, err := e.executor(ctx)
	if err != nil {
		return actions.Preflight{}, err
	}
	return ex.(actions.Planner).Preflight(ctx, req)
}
