package actions

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Registry maps action kinds to executors. It is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	executors map[string]Executor
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{executors: make(map[string]Executor)}
}

// A Provider contributes executors by action kind: the vSphere client, the
// checks, the pagers.
type Provider interface {
	Executors() map[string]Executor
}

// NewDefaultRegistry registers every executor of the providers, e.g.
//
//	actions.NewDefaultRegistry(vsphere.Executors(client), check.New(check.Config{…}))
func NewDefaultRegistry(providers ...Provider) *Registry {
	r := NewRegistry()
	for _, p := range providers {
		for _, kind := range slices.Sorted(maps.Keys(p.Executors())) {
			r.Register(kind, p.Executors()[kind])
		}
	}
	return r
}

// Register makes e the executor of kind. Registering a kind the catalog
// (Specs) does not know, or a kind twice, is a programming error and
// panics.
func (r *Registry) Register(kind string, e Executor) {
	if _, ok := Spec(kind); !ok {
		panic(fmt.Sprintf("actions: register %q: not an action kind of the catalog", kind))
	}
	if e == nil {
		panic(fmt.Sprintf("actions: register %q: nil executor", kind))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.executors[kind]; dup {
		panic(fmt.Sprintf("actions: register %q: registered twice", kind))
	}
	r.executors[kind] = e
}

// Lookup returns the executor of kind.
func (r *Registry) Lookup(kind string) (Executor, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.executors[kind]
	return e, ok
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.executors))
}

func (r *Registry) executor(kind string) (Executor, error) {
	e, ok := r.Lookup(kind)
	if !ok {
		return nil, Permanent(fmt.Errorf("no hay ejecutor para la acción %q", kind))
	}
	return e, nil
}

// Preflight runs the dry run of req's executor after validating its
// parameters. planned is false (and the Preflight empty) for executors
// that are not Planners: nothing destructive to show.
func (r *Registry) Preflight(ctx context.Context, req Request) (pf Preflight, planned bool, err error) {
	e, err := r.executor(req.Kind)
	if err != nil {
		return Preflight{}, false, err
	}
	if err := ValidateParams(req.Kind, req.Params); err != nil {
		return Preflight{}, false, err
	}
	p, ok := e.(Planner)
	if !ok {
		return Preflight{}, false, nil
	}
	pf, err = p.Preflight(ctx, req)
	if err != nil {
		return Preflight{}, true, fmt.Errorf("pre-flight de %s en %s: %w", req.Kind, req.Target(), err)
	}
	return pf, true, nil
}

// Execute runs req: it validates the parameters, and when req.Approved is
// set and the executor is a Planner, recomputes the pre-flight and refuses
// (permanent *StaleError) if its facts changed since approval — unless the
// new pre-flight says the work is already done; then it calls the
// executor. Errors keep their classification (IsPermanent).
func (r *Registry) Execute(ctx context.Context, req Request) (Result, error) {
	e, err := r.executor(req.Kind)
	if err != nil {
		return Result{}, err
	}
	if err := ValidateParams(req.Kind, req.Params); err != nil {
		return Result{}, err
	}
	if p, ok := e.(Planner); ok && req.Approved != nil {
		now, err := p.Preflight(ctx, req)
		if err != nil {
			return Result{}, fmt.Errorf("re-checking the pre-flight of %s on %s: %w", req.Kind, req.Target(), err)
		}
		if err := CompareFacts(*req.Approved, now); err != nil && !now.AlreadyDone {
			return Result{}, err
		}
	}
	return e.Execute(ctx, req)
}
