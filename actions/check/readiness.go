package check

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// Copy runs check.copy (seed §8.1 "disponer de respaldos" of the OVF/OVA
// copies): the server's copy exists — as a file, behind an HTTP URL or on
// a datastore (through Config.Copies) — and is younger than its max_age,
// or the smallest RPO of the services using the server.
func (c *Checks) Copy(ctx context.Context, req actions.Request) (actions.Result, error) {
	srv, err := server(req)
	if err != nil {
		return actions.Result{}, err
	}
	cp := srv.Copy
	if cp == nil {
		return actions.Result{}, actions.Permanent(fmt.Errorf("el servidor %s no tiene copia OVF/OVA en el plan", srv.ID))
	}
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	var st actions.CopyStat
	switch {
	case cp.Datastore != "" || cp.Library != "":
		if c.cfg.Copies == nil {
			return actions.Result{}, actions.Permanent(fmt.Errorf("la copia de %s está en vSphere (%s) y no hay conexión a vSphere (VSPHERE_URL)", srv.ID, cmp.Or(cp.Datastore, cp.Library)))
		}
		st, err = c.cfg.Copies.StatCopy(cctx, srv)
		if err != nil {
			return actions.Result{}, fail(ctx, timeout, err, "copia de %s", srv.ID)
		}
	case isURL(cp.Path):
		st, err = c.head(cctx, cp.Path)
		if err != nil {
			return actions.Result{}, fail(ctx, timeout, err, "copia de %s", srv.ID)
		}
	case cp.Path != "":
		if st, err = statPath(cp.Path); err != nil {
			return actions.Result{}, actions.Permanent(fmt.Errorf("copia de %s: %w", srv.ID, err))
		}
	default:
		return actions.Result{}, actions.Permanent(fmt.Errorf("el servidor %s no dice dónde está su copia", srv.ID))
	}
	what := "Copia " + strings.ToUpper(string(cp.Format))
	return c.judge(req, st, strings.TrimSpace(what), 0, maxAge(req.Plan, srv, cp.MaxAge.D()))
}

// Backup runs check.backup: the latest backup of the server (a file, or
// the newest file of a folder, at backup.path) is younger than its
// max_age or the services' RPO.
func (c *Checks) Backup(ctx context.Context, req actions.Request) (actions.Result, error) {
	srv, err := server(req)
	if err != nil {
		return actions.Result{}, err
	}
	b := srv.Backup
	if b == nil || b.Path == "" {
		return actions.Result{}, actions.Permanent(fmt.Errorf("el servidor %s no indica dónde aparece su último respaldo (backup.path)", srv.ID))
	}
	st, err := statPath(b.Path)
	if err != nil {
		return actions.Result{}, actions.Permanent(fmt.Errorf("respaldo %s de %s: %w", b.Set, srv.ID, err))
	}
	return c.judge(req, st, "Respaldo "+b.Set, 1, maxAge(req.Plan, srv, b.MaxAge.D()))
}

// ConfigDoc runs check.config_doc: the server's configuration and
// architecture document exists (a non-empty file, or an URL answering 2xx).
func (c *Checks) ConfigDoc(ctx context.Context, req actions.Request) (actions.Result, error) {
	srv, err := server(req)
	if err != nil {
		return actions.Result{}, err
	}
	if srv.ConfigDoc == "" {
		return actions.Result{}, actions.Permanent(fmt.Errorf("el servidor %s no tiene documento de configuración en el plan (config_doc)", srv.ID))
	}
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	var st actions.CopyStat
	if isURL(srv.ConfigDoc) {
		st, err = c.head(cctx, srv.ConfigDoc)
		if err != nil {
			return actions.Result{}, fail(ctx, timeout, err, "documento de configuración de %s", srv.ID)
		}
	} else if st, err = statPath(srv.ConfigDoc); err != nil {
		return actions.Result{}, actions.Permanent(fmt.Errorf("documento de configuración de %s: %w", srv.ID, err))
	}
	minSize := int64(1)
	if isURL(srv.ConfigDoc) {
		minSize = 0
	}
	return c.judge(req, st, "Documento", minSize, 0)
}

func server(req actions.Request) (*plan.Server, error) {
	if req.Server == nil {
		return nil, actions.Permanent(fmt.Errorf("la verificación %s necesita un servidor del plan", req.Kind))
	}
	return req.Server, nil
}

// maxAge is explicit, or the smallest RPO of the plan's services that use
// srv, or 0 (no limit).
func maxAge(p *plan.Plan, srv *plan.Server, explicit time.Duration) time.Duration {
	if explicit > 0 || p == nil {
		return explicit
	}
	var least time.Duration
	for _, s := range p.Services {
		for _, id := range s.Servers {
			if id == srv.ID && s.RPO > 0 && (least == 0 || s.RPO.D() < least) {
				least = s.RPO.D()
			}
		}
	}
	return least
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// head describes a document or copy behind an URL from a HEAD request:
// Content-Length and Last-Modified (when the server gives it).
func (c *Checks) head(ctx context.Context, url string) (actions.CopyStat, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return actions.CopyStat{}, err
	}
	transport := c.transport()
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return actions.CopyStat{}, err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return actions.CopyStat{}, fmt.Errorf("%s responde HTTP %d", url, resp.StatusCode)
	}
	st := actions.CopyStat{Location: url, Size: resp.ContentLength, Modified: c.cfg.Now()}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		st.Modified = lm
	}
	return st, nil
}
