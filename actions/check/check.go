package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// DefaultTimeout bounds one check when its step gives no timeout.
const DefaultTimeout = 10 * time.Second

// CopyStater finds a server's copy on storage the bot cannot read as a
// file: vSphere datastores (*vsphere.Client implements it).
type CopyStater interface {
	StatCopy(ctx context.Context, srv *plan.Server) (actions.CopyStat, error)
}

// Config configures the checks. The zero value works: system resolver and
// certificate roots, no datastore access, real clock.
type Config struct {
	// Copies finds copies on datastores for check.copy; nil means such
	// copies are reported as not verifiable.
	Copies CopyStater
	// RootCAs verify HTTPS certificates (nil: the system's).
	RootCAs *x509.CertPool
	// Timeout is the default per-call timeout (default 10s).
	Timeout time.Duration
	// Dialer dials every check's connections: HTTP(S), TCP, DNS, SMTP and
	// PostgreSQL (default net.Dialer). A Dialer other than the default is
	// trusted to resolve names itself: PostgreSQL host names are then
	// passed to it unresolved.
	Dialer Dialer
	Logger *slog.Logger
	Now    func() time.Time
}

// Dialer dials a network address; *net.Dialer implements it.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Checks runs the check.* actions.
type Checks struct {
	cfg Config
	// customDialer is set when Config.Dialer was given: name resolution
	// is then the dialer's business.
	customDialer bool
}

// New returns the checks of cfg.
func New(cfg Config) *Checks {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	custom := cfg.Dialer != nil
	if !custom {
		cfg.Dialer = &net.Dialer{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Checks{cfg: cfg, customDialer: custom}
}

// Executors returns the check executors by action kind (actions.Provider).
func (c *Checks) Executors() map[string]actions.Executor {
	return map[string]actions.Executor{
		"check.http":       actions.ExecutorFunc(c.HTTP),
		"check.tcp":        actions.ExecutorFunc(c.TCP),
		"check.dns":        actions.ExecutorFunc(c.DNS),
		"check.postgres":   actions.ExecutorFunc(c.Postgres),
		"check.smtp":       actions.ExecutorFunc(c.SMTP),
		"check.file":       actions.ExecutorFunc(c.File),
		"check.copy":       actions.ExecutorFunc(c.Copy),
		"check.backup":     actions.ExecutorFunc(c.Backup),
		"check.config_doc": actions.ExecutorFunc(c.ConfigDoc),
	}
}

// transport is a one-use HTTP transport with the configured dialer and
// certificate roots.
func (c *Checks) transport() *http.Transport {
	return &http.Transport{
		DialContext:       c.cfg.Dialer.DialContext,
		TLSClientConfig:   &tls.Config{RootCAs: c.cfg.RootCAs},
		DisableKeepAlives: true,
		Proxy:             http.ProxyFromEnvironment,
	}
}

// withTimeout bounds one call by the step's timeout param or the default.
func (c *Checks) withTimeout(ctx context.Context, req actions.Request) (context.Context, context.CancelFunc, time.Duration) {
	d := req.Duration("timeout", c.cfg.Timeout)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, d
}

// fail turns what a check saw into its (permanent) error. A cancelled
// parent context (the job was cancelled) is returned as it is; the
// check's own timeout becomes a readable "sin respuesta".
func fail(parent context.Context, timeout time.Duration, err error, format string, args ...any) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, context.DeadlineExceeded) {
		return actions.Permanent(fmt.Errorf("%s: sin respuesta en %s", msg, actions.FormatAge(timeout)))
	}
	if err != nil {
		return actions.Permanent(fmt.Errorf("%s: %w", msg, err))
	}
	return actions.Permanent(errors.New(msg))
}

// ms renders a latency.
func ms(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}
