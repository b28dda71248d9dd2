package actions

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

// ReadinessResult is one §8.1 item checked on one server (or once, for a
// global item).
type ReadinessResult struct {
	Item    string // readiness check id
	Title   plan.Text
	Server  string // "" for a global item
	Owner   string // role id
	OK      bool
	Message string // the executor's summary, or why it failed
}

// CheckReadiness runs every readiness check of the plan (seed §8.1: the
// OVF/OVA copy exists and is younger than the RPO, the database backup is
// recent, the configuration document exists) before any disaster.
func CheckReadiness(ctx context.Context, reg *Registry, p *plan.Plan) []ReadinessResult {
	var out []ReadinessResult
	for _, rc := range p.Readiness {
		targets := []*plan.Server{nil}
		if rc.Scope == plan.ScopeServer {
			targets = targets[:0]
			for i := range p.Servers {
				srv := &p.Servers[i]
				if len(rc.Roles) == 0 || slices.Contains(rc.Roles, srv.Role) {
					targets = append(targets, srv)
				}
			}
		}
		for _, srv := range targets {
			res := ReadinessResult{Item: rc.ID, Title: rc.Title, Owner: rc.Owner}
			req := Request{Kind: rc.Action, Params: rc.Params, Plan: p, Server: srv, Step: "readiness/" + rc.ID}
			if srv != nil {
				res.Server = srv.ID
				req.Service = firstServiceOf(p, srv.ID)
			}
			r, err := reg.Execute(ctx, req)
			res.OK, res.Message = err == nil, r.Message
			if err != nil {
				res.Message = err.Error()
			}
			out = append(out, res)
		}
	}
	return out
}

// firstServiceOf gives a readiness check the context of a service using
// the server (for its RPO).
func firstServiceOf(p *plan.Plan, server string) *plan.Service {
	for i := range p.Services {
		if slices.Contains(p.ServersOf(p.Services[i].ID), server) {
			return &p.Services[i]
		}
	}
	return nil
}

// ReadinessTable renders results for chat and terminal: what is missing
// or stale first, then a count of what is ready.
func ReadinessTable(p *plan.Plan, results []ReadinessResult, lang string) string {
	t := func(es, en string) string {
		if lang == "en" {
			return en
		}
		return es
	}
	var bad, good []string
	for _, r := range results {
		owner := r.Owner
		if rl, ok := p.Role(r.Owner); ok {
			owner = rl.Name.In(lang)
		}
		target := r.Server
		if target == "" {
			target = "—"
		}
		line := fmt.Sprintf("%s %-26s %-24s %s · %s", map[bool]string{true: "✅", false: "❌"}[r.OK], target, r.Item, r.Message, owner)
		if r.OK {
			good = append(good, line)
		} else {
			bad = append(bad, line)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d/%d %s\n", t("Respaldos (§8.1)", "Backups (§8.1)"), len(good), len(results), t("listos", "ready"))
	if len(bad) > 0 {
		b.WriteString(t("Faltan o están desactualizados:\n", "Missing or stale:\n"))
		b.WriteString(strings.Join(bad, "\n") + "\n")
	}
	if len(good) > 0 {
		b.WriteString(t("Listos:\n", "Ready:\n"))
		b.WriteString(strings.Join(good, "\n") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
