package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

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
	log    *slog.Logger
	now    func() time.Time
}

// Connect logs in to the vCenter of cfg.URL.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
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
	c.logout = func(ctx context.Context) error {
		defer vim.CloseIdleConnections()
		return sm.Logout(ctx)
	}
	return c, nil
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
		"vsphere.deploy_ovf":      &Deploy{c: c},
		"vsphere.revert_snapshot": &Revert{c: c},
		"vsphere.power_on":        &PowerOn{c: c},
		"vsphere.power_off":       &PowerOff{c: c},
		"vsphere.clone":           &Clone{c: c},
		"vsphere.verify_config":   &Verify{c: c},
	}
}
