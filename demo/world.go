package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/check"
	"github.com/contingencia/contingencia/actions/vsphere"
	"github.com/contingencia/contingencia/plan"
)

// Config configures the simulated world.
type Config struct {
	// Plan is the plan to simulate (required). It is not modified.
	Plan *plan.Plan
	// Dir receives the generated copies (required; the caller removes it).
	Dir    string
	Logger *slog.Logger
	// Concurrent lets vSphere actions run at the same time, as against a
	// real vCenter. By default they run one at a time: govmomi's
	// simulator is not safe under concurrent inventory changes (the race
	// detector catches it), and the tour does not need parallel restores.
	Concurrent bool
}

// World is a running simulated data centre.
type World struct {
	// Plan is a copy of Config.Plan bound to this world: same text and Hash,
	// copies and DSNs pointing at the simulation.
	Plan *plan.Plan
	// Providers are the executors of vsphere.* (on the simulated vCenter)
	// and check.* (through Dialer, with the demo CA trusted).
	Providers []actions.Provider
	// Dialer reaches the simulated services by the plan's host:port.
	Dialer *Dialer
	// VCenterURL is the simulated vCenter's SDK endpoint.
	VCenterURL string

	log       *slog.Logger
	vc        *vcenter
	services  *services
	closeOnce sync.Once
}

// Start seeds a simulated vCenter from cfg.Plan, writes a copy of every
// server into cfg.Dir and starts the simulated services. Close stops it.
func Start(ctx context.Context, cfg Config) (*World, error) {
	if cfg.Plan == nil {
		return nil, errors.New("demo: a plan is required")
	}
	if cfg.Dir == "" {
		return nil, errors.New("demo: a directory for the copies is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &World{Plan: clonePlan(cfg.Plan), log: cfg.Logger}
	copies := filepath.Join(cfg.Dir, "copias")
	if err := os.MkdirAll(copies, 0o755); err != nil {
		return nil, fmt.Errorf("creating the directory of the copies: %w", err)
	}
	for i := range w.Plan.Servers {
		srv := &w.Plan.Servers[i]
		cp, err := writeCopy(copies, srv)
		if err != nil {
			return nil, err
		}
		srv.Copy = cp
	}
	routes := collectRoutes(w.Plan)
	svc, err := startServices(routes, cfg.Logger)
	if err != nil {
		return nil, err
	}
	w.services = svc
	w.Dialer = svc.dialer
	vc, err := startVCenter(ctx, w.Plan, cfg.Logger)
	if err != nil {
		svc.close()
		return nil, err
	}
	w.vc = vc
	w.VCenterURL = vc.url
	client := vsphere.New(vc.client.Client, vsphere.Config{Logger: cfg.Logger})
	checks := check.New(check.Config{RootCAs: svc.roots, Dialer: svc.dialer, Logger: cfg.Logger})
	boot := &booting{inner: client, vc: vc}
	if !cfg.Concurrent {
		boot.serial = &sync.Mutex{}
	}
	w.Providers = []actions.Provider{boot, checks}
	return w, nil
}

// Close stops the simulated services and the vCenter.
func (w *World) Close() {
	w.closeOnce.Do(func() {
		w.vc.close()
		w.services.close()
	})
}

// clonePlan copies p deeply enough that binding the copy to the world
// leaves p untouched: servers (their copies), services (their checks'
// parameters) and backups.
func clonePlan(p *plan.Plan) *plan.Plan {
	c := *p
	c.Servers = make([]plan.Server, len(p.Servers))
	for i, s := range p.Servers {
		if s.Copy != nil {
			cp := *s.Copy
			s.Copy = &cp
		}
		if s.Backup != nil {
			b := *s.Backup
			if b.Database != nil {
				d := *b.Database
				b.Database = &d
			}
			s.Backup = &b
		}
		c.Servers[i] = s
	}
	c.Services = make([]plan.Service, len(p.Services))
	for i, s := range p.Services {
		checks := make([]plan.Check, len(s.Checks))
		for j, ch := range s.Checks {
			params := make(map[string]any, len(ch.Params))
			for k, v := range ch.Params {
				params[k] = v
			}
			ch.Params = params
			checks[j] = ch
		}
		s.Checks = checks
		c.Services[i] = s
	}
	return &c
}
