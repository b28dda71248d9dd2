package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// Config configures a vSphere connection. The zero value (but for URL)
// gives the defaults.
type Config struct {
	// URL of the SDK endpoint with credentials: https://user:pass@host/sdk.
	URL string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// KeepAlive is the idle time after which the session is refreshed
	// (default 5m): a bot waits for hours between disasters.
	KeepAlive time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Client runs the vSphere executors over one vCenter (or ESXi) session.
type Client struct {
	user   *url.Userinfo // for the REST API (content libraries)
	restMu sync.Mutex
	rest   *rest.Client
	vim    *vim25.Client
	logout func(context.Context) error
	// login opens a new session (Connect's clients only): vCenter forgets
	// sessions when it restarts or after its idle timeout.
	login   func(context.Context) error
	loginMu sync.Mutex
	log     *slog.Logger
	now     func() time.Time
}

// Connect logs in to the vCenter of cfg.URL.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	u, err := parseURL(cfg)
	if err != nil {
		return nil, err
	}
	sc := soap.NewClient(u, cfg.Insecure)
	vim, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("connecting to vSphere at %s: %w", u.Host, err)
	}
	vim.RoundTripper = keepalive.NewHandlerSOAP(sc, cmp.Or(cfg.KeepAlive, 5*time.Minute), nil)
	sm := session.NewManager(vim)
	if err := sm.Login(ctx, u.User); err != nil {
		return nil, fmt.Errorf("logging in to vSphere at %s as %s: %w", u.Host, u.User.Username(), err)
	}
	c := New(vim, cfg)
	c.user = u.User
	c.login = func(ctx context.Context) error {
		if active, err := sm.SessionIsActive(ctx); err == nil && active {
			return nil // another action logged in again first
		}
		return sm.Login(ctx, u.User)
	}
	c.logout = func(ctx context.Context) error {
		defer vim.CloseIdleConnections()
		return sm.Logout(ctx)
	}
	return c, nil
}

// parseURL checks that cfg names an SDK endpoint with credentials.
func parseURL(cfg Config) (*url.URL, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("connecting to vSphere: no URL (VSPHERE_URL=https://user:pass@host/sdk)")
	}
	u, err := soap.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("connecting to vSphere: parsing URL: %w", err)
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("connecting to vSphere at %s: the URL has no user and password", u.Host)
	}
	return u, nil
}

// New wraps an existing, logged-in vim25 client (the simulator's in tests).
// Close does not log it out.
func New(vim *vim25.Client, cfg Config) *Client {
	c := &Client{vim: vim, log: cfg.Logger, now: cfg.Now}
	if u, err := soap.ParseURL(cfg.URL); cfg.URL != "" && err == nil {
		c.user = u.User // the REST API logs in with the same credentials
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Close logs out of a session opened by Connect.
func (c *Client) Close(ctx context.Context) error {
	if c.logout == nil {
		return nil
	}
	if err := c.logout(ctx); err != nil {
		return fmt.Errorf("logging out of vSphere: %w", err)
	}
	return nil
}

// Vim is the underlying vim25 client.
func (c *Client) Vim() *vim25.Client { return c.vim }

// Executors returns the vSphere executors by action kind
// (actions.Provider).
func (c *Client) Executors() map[string]actions.Executor {
	return map[string]actions.Executor{
		"vsphere.deploy_ovf":      c.sessioned(&Deploy{c: c}),
		"vsphere.revert_snapshot": c.sessioned(&Revert{c: c}),
		"vsphere.power_on":        c.sessioned(&PowerOn{c: c}),
		"vsphere.power_off":       c.sessioned(&PowerOff{c: c}),
		"vsphere.clone":           c.sessioned(&Clone{c: c}),
		"vsphere.verify_config":   c.sessioned(&Verify{c: c}),
	}
}

// withSession runs fn, and when vCenter answers that the session is gone
// (it restarted, or the session outlived its idle timeout while nobody
// needed it; a 401 from the REST API of content libraries), logs in again and runs fn once more. Executors look at the
// world before they act, so running one again is safe.
func (c *Client) withSession(ctx context.Context, fn func() error) error {
	err := fn()
	if c.login == nil || !fault.Is(err, &types.NotAuthenticated{}) && !rest.IsStatusError(err, http.StatusUnauthorized) {
		return err
	}
	c.loginMu.Lock()
	lerr := c.login(ctx)
	if lerr == nil {
		c.restMu.Lock()
		c.rest = nil // its session went with the SOAP one
		c.restMu.Unlock()
	}
	c.loginMu.Unlock()
	if lerr != nil {
		return fmt.Errorf("%w (logging in to vSphere again: %v)", err, lerr)
	}
	c.log.Info("logged in to vSphere again: the session had expired")
	return fn()
}

// sessioned wraps an executor in withSession, keeping its dry run if it
// has one (the registry asks approval only of executors with one).
func (c *Client) sessioned(e actions.Executor) actions.Executor {
	if p, ok := e.(actions.Planner); ok {
		return sessionedPlanner{sessioned{c, e}, p}
	}
	return sessioned{c, e}
}

type sessioned struct {
	c *Client
	e actions.Executor
}

func (s sessioned) Execute(ctx context.Context, req actions.Request) (res actions.Result, err error) {
	err = s.c.withSession(ctx, func() error {
		res, err = s.e.Execute(ctx, req)
		return err
	})
	return res, err
}

type sessionedPlanner struct {
	sessioned
	p actions.Planner
}

func (s sessionedPlanner) Preflight(ctx context.Context, req actions.Request) (pf actions.Preflight, err error) {
	err = s.c.withSession(ctx, func() error {
		pf, err = s.p.Preflight(ctx, req)
		return err
	})
	return pf, err
}
