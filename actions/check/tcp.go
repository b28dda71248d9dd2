package check

import (
	"context"
	"fmt"

	"github.com/contingencia/contingencia/actions"
)

// TCP runs check.tcp: a TCP connection to address (host:port) opens.
func (c *Checks) TCP(ctx context.Context, req actions.Request) (actions.Result, error) {
	addr := req.String("address", "")
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	start := c.cfg.Now()
	conn, err := c.cfg.Dialer.DialContext(cctx, "tcp", addr)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "TCP %s no responde", addr)
	}
	elapsed := c.cfg.Now().Sub(start)
	_ = conn.Close()
	return actions.Result{
		Message: fmt.Sprintf("TCP %s abierto en %s", addr, ms(elapsed)),
		Details: map[string]any{"address": addr, "latency_ms": elapsed.Milliseconds()},
	}, nil
}
