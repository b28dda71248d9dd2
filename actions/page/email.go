package page

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// EmailConfig configures e-mail pages.
type EmailConfig struct {
	// URL is smtp://user:pass@host:587 (STARTTLS, required; add
	// ?starttls=none only for a server without TLS on a trusted network)
	// or smtps://user:pass@host:465 (implicit TLS).
	URL string
	// From is the sender address, e.g. contingencia@example.gob.ec.
	From string
	// TLS overrides the TLS configuration (tests trust their own CA).
	TLS *tls.Config
	// Timeout bounds one delivery (default 30s).
	Timeout time.Duration
	// Now stamps the Date header.
	Now func() time.Time
}

// Email sends pages over SMTP.
type Email struct {
	cfg      EmailConfig
	addr     string
	implicit bool
	optional bool
	auth     sasl.Client
	from     *mail.Address
}

// ErrNoAddress means the person has no address on this channel: nothing
// was sent, and nothing failed.
var ErrNoAddress = errors.New("no address for this channel")

// NewEmail validates the configuration.
func NewEmail(cfg EmailConfig) (*Email, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	e := &Email{cfg: cfg, addr: u.Host}
	switch u.Scheme {
	case "smtp":
		// STARTTLS is required unless ?starttls=none says the server has none.
		e.optional = u.Query().Get("starttls") == "none"
		if u.Port() == "" {
			e.addr = net.JoinHostPort(u.Hostname(), "587")
		}
	case "smtps":
		e.implicit = true
		if u.Port() == "" {
			e.addr = net.JoinHostPort(u.Hostname(), "465")
		}
	default:
		return nil, fmt.Errorf("SMTP_URL: scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("SMTP_URL: no host")
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		e.auth = sasl.NewPlainClient("", u.User.Username(), pass)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP_FROM %q: %w", cfg.From, err)
	}
	e.from = from
	if e.cfg.Timeout <= 0 {
		e.cfg.Timeout = 30 * time.Second
	}
	if e.cfg.Now == nil {
		e.cfg.Now = time.Now
	}
	return e, nil
}

// Name is the channel's name in page events.
func (e *Email) Name() string { return "email" }

// Send delivers the page to the person's e-mail address.
func (e *Email) Send(ctx context.Context, m Message) error {
	if m.Person.Email == "" {
		return ErrNoAddress
	}
	to, err := mail.ParseAddress(m.Person.Email)
	if err != nil {
		return fmt.Errorf("address %q: %w", m.Person.Email, err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	c, err := e.dial(ctx)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", e.addr, err)
	}
	defer c.Close()
	if e.auth != nil {
		if err := c.Auth(e.auth); err != nil {
			return fmt.Errorf("authenticating to %s: %w", e.addr, err)
		}
	}
	if err := c.SendMail(e.from.Address, []string{to.Address}, bytes.NewReader(e.compose(m, to))); err != nil {
		return fmt.Errorf("sending to %s: %w", to.Address, err)
	}
	return c.Quit()
}

func (e *Email) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(e.addr)
	tlsCfg := e.cfg.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	switch {
	case e.implicit:
		return smtp.NewClient(tls.Client(conn, tlsCfg)), nil
	case e.optional:
		// Only for servers on a trusted network that offer no TLS.
		return smtp.NewClient(conn), nil
	}
	c, err := smtp.NewClientStartTLS(conn, tlsCfg)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("STARTTLS: %w", err)
	}
	return c, nil
}

// compose writes the RFC 5322 message.
func (e *Email) compose(m Message, to *mail.Address) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := e.from.Address[strings.LastIndex(e.from.Address, "@")+1:]
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", (&mail.Address{Name: "contingencia", Address: e.from.Address}).String())
	hdr("To", (&mail.Address{Name: m.Person.Name, Address: to.Address}).String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject()))
	hdr("Date", e.cfg.Now().UTC().Format(time.RFC1123Z))
	hdr("Message-ID", fmt.Sprintf("<%x.%s@%s>", id, strings.ToLower(m.RunID), domain))
	hdr("X-Contingencia-Run", m.RunID)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(m.Text(), "\n", "\r\n"))
	return b.Bytes()
}
