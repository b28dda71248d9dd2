package check

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/contingencia/contingencia/actions"
)

// Postgres runs check.postgres (seed §9 "verificar la información de base
// de datos"): connect to dsn, run query, and compare the first column of
// the first row, as text, with expect (when given).
func (c *Checks) Postgres(ctx context.Context, req actions.Request) (actions.Result, error) {
	dsn := req.String("dsn", "")
	query := req.String("query", "")
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return actions.Result{}, actions.Permanent(fmt.Errorf("check.postgres: DSN no válido: %w", err))
	}
	cfg.DialFunc = c.cfg.Dialer.DialContext
	if c.customDialer {
		// The dialer resolves names itself: hand it the host as written.
		cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	}
	target := fmt.Sprintf("%s/%s", cfg.Host, cfg.Database)
	start := c.cfg.Now()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "PostgreSQL %s no acepta conexiones", target)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(cctx, query, pgx.QueryResultFormats{pgx.TextFormatCode})
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "PostgreSQL %s: la consulta falló", target)
	}
	var value string
	var gotRow, null bool
	if rows.Next() {
		gotRow = true
		raw := rows.RawValues()
		if len(raw) > 0 {
			null = raw[0] == nil
			value = string(raw[0])
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "PostgreSQL %s: la consulta falló", target)
	}
	elapsed := c.cfg.Now().Sub(start)
	details := map[string]any{"target": target, "latency_ms": elapsed.Milliseconds()}
	if !gotRow {
		return actions.Result{Details: details}, fail(ctx, timeout, nil, "PostgreSQL %s: la consulta no devolvió filas", target)
	}
	shown := fmt.Sprintf("%q", value)
	if null {
		shown = "NULL"
	}
	details["value"] = value
	if want, ok := req.Params["expect"]; ok {
		if w := req.String("expect", fmt.Sprint(want)); null || value != w {
			return actions.Result{Details: details}, fail(ctx, timeout, nil, "PostgreSQL %s: la consulta devolvió %s, se esperaba %q", target, shown, w)
		}
	}
	return actions.Result{
		Message: fmt.Sprintf("PostgreSQL %s responde en %s; la consulta devolvió %s", target, ms(elapsed), shown),
		Details: details,
	}, nil
}
