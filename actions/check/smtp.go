package check

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"os"
	"strings"

	"github.com/contingencia/contingencia/actions"
)

// SMTP runs check.smtp: connect to address, read the 220 banner (it must
// contain banner_contains when given), greet with EHLO (name ehlo, default
// contingencia.invalid), expect 250, and QUIT.
func (c *Checks) SMTP(ctx context.Context, req actions.Request) (actions.Result, error) {
	addr := req.String("address", "")
	ehlo := req.String("ehlo", "contingencia.invalid")
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	start := c.cfg.Now()
	nc, err := c.cfg.Dialer.DialContext(cctx, "tcp", addr)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "SMTP %s no responde", addr)
	}
	defer nc.Close()
	if dl, ok := cctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(cctx, func() { _ = nc.Close() })
	defer stop()
	conn := textproto.NewConn(nc)
	_, banner, err := conn.ReadResponse(220)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, deadline(cctx, err), "SMTP %s: saludo inicial", addr)
	}
	if want := req.String("banner_contains", ""); want != "" && !strings.Contains(banner, want) {
		return actions.Result{}, fail(ctx, timeout, nil, "SMTP %s: el saludo %q no contiene %q", addr, banner, want)
	}
	id, err := conn.Cmd("EHLO %s", ehlo)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, deadline(cctx, err), "SMTP %s: EHLO", addr)
	}
	conn.StartResponse(id)
	_, ext, err := conn.ReadResponse(250)
	conn.EndResponse(id)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, deadline(cctx, err), "SMTP %s: EHLO rechazado", addr)
	}
	if id, err := conn.Cmd("QUIT"); err == nil {
		conn.StartResponse(id)
		_, _, _ = conn.ReadResponse(221)
		conn.EndResponse(id)
	}
	elapsed := c.cfg.Now().Sub(start)
	lines := strings.Split(ext, "\n")
	return actions.Result{
		Message: fmt.Sprintf("SMTP %s responde en %s: «%s»; EHLO aceptado (%d extensiones)", addr, ms(elapsed), banner, max(len(lines)-1, 0)),
		Details: map[string]any{"address": addr, "banner": banner, "extensions": lines[min(1, len(lines)):], "latency_ms": elapsed.Milliseconds()},
	}, nil
}

// deadline reports the context's deadline instead of the I/O error the
// closed (or timed out) connection produced.
func deadline(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return err
}
