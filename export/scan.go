package export

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// serviceAgg is what the scanner keeps per service: a few timestamps, so
// that its memory does not grow with the run's length.
type serviceAgg struct {
	m            Milestones
	testingSeen  bool
	lastRestored time.Time
}

// scanner folds a run's events, in order, into its Summary: the chain
// verifier, the run facts and the per-service milestones.
type scanner struct {
	p        *plan.Plan
	opts     Options
	verifier *plan.Verifier
	sum      Summary
	last     plan.Event
	services map[string]*serviceAgg
	order    []string
	// byServer maps a server to the declared services that need it.
	byServer map[string][]string
	// dataAt is, by step, the point in time its action's source holds
	// data up to, from the facts of its last preflight.
	dataAt   map[string]time.Time
	declared bool
}

func newScanner(p *plan.Plan, opts Options) *scanner {
	return &scanner{
		p: p, opts: opts, verifier: plan.NewVerifier(),
		services: map[string]*serviceAgg{}, byServer: map[string][]string{}, dataAt: map[string]time.Time{},
	}
}

// add folds the next event.
func (s *scanner) add(e plan.Event) error {
	if s.sum.ChainError == nil {
		if err := s.verifier.Add(e); err != nil {
			s.sum.ChainError = badEvent(e, err)
		}
	}
	s.sum.Events++
	if s.sum.Events == 1 {
		s.sum.RunID = e.RunID
		s.sum.FirstAt = e.At
	}
	s.sum.LastAt = e.At
	s.last = e
	switch e.Type {
	case plan.EventRunDeclared:
		if !s.declared {
			s.declare(e)
		}
	case plan.EventRunClosed:
		s.sum.Ended = "closed"
	case plan.EventRunAborted:
		s.sum.Ended = "aborted"
	case plan.EventApprovalRequested:
		if d, ok := stepOfEvent(e); ok {
			s.facts(d)
		}
	case plan.EventStepStarted, plan.EventActionStarted, plan.EventStepCompleted, plan.EventStepSkipped,
		plan.EventActionQueued, plan.EventActionSucceeded, plan.EventActionFailed, plan.EventStepReopened:
		if d, ok := stepOfEvent(e); ok {
			s.facts(d) // before a success counts what it restored
			s.step(e, d.Step)
		}
	}
	return nil
}

// stepPayload is what the scanner reads of an event about a step.
type stepPayload struct {
	Step  string            `json:"step"`
	Facts map[string]string `json:"facts"`
}

func stepOfEvent(e plan.Event) (stepPayload, bool) {
	var d stepPayload
	err := json.Unmarshal(e.Payload, &d)
	return d, err == nil && d.Step != ""
}

func badEvent(e plan.Event, err error) *BadEvent {
	b := &BadEvent{Seq: e.Seq, Type: string(e.Type), At: e.At, Reason: err.Error()}
	var ce *plan.ChainError
	if errors.As(err, &ce) {
		b.Reason = ce.Reason
	}
	return b
}

func (s *scanner) declare(e plan.Event) {
	var d plan.RunDeclared
	if err := json.Unmarshal(e.Payload, &d); err != nil {
		return
	}
	s.declared = true
	s.sum.PlanID, s.sum.PlanHash, s.sum.Drill, s.sum.Strategy = d.PlanID, d.PlanHash, d.Drill, string(d.Strategy)
	at := e.At
	if !d.DeclaredAt.IsZero() {
		at = d.DeclaredAt.UTC()
	}
	for _, id := range d.Services {
		if _, dup := s.services[id]; dup {
			continue
		}
		agg := &serviceAgg{m: Milestones{Service: id, Name: id, Declared: at}}
		if s.p != nil {
			if svc, ok := s.p.Service(id); ok {
				agg.m.Name = svc.Name.In(s.opts.Lang)
				agg.m.Priority = svc.Priority
				agg.m.RTO = svc.RTO.D()
				agg.m.RPO = svc.RPO.D()
			}
			for _, srv := range s.p.ServersOf(id) {
				s.byServer[srv] = append(s.byServer[srv], id)
			}
		}
		s.services[id] = agg
		s.order = append(s.order, id)
	}
}

// step updates the milestones of the services a step event is aimed at.
func (s *scanner) step(e plan.Event, step string) {
	if s.p == nil || len(s.services) == 0 {
		return
	}
	proc, _, target, ok := plan.SplitItemKey(step)
	if !ok || target == "" {
		return
	}
	pr, ok := s.p.Procedure(proc)
	if !ok {
		return
	}
	if _, ok := s.services[target]; ok {
		s.stepFor(s.services[target], pr.Phase, step, e)
		return
	}
	for _, id := range s.byServer[target] {
		s.stepFor(s.services[id], pr.Phase, step, e)
	}
}

// dataFacts are the preflight facts that say up to when a restore's
// source holds data: a copy's date, a snapshot's.
var dataFacts = []string{"source_at", "snapshot_at"}

// facts remembers up to when the source of a step's action holds data,
// from the dry run a person confirmed or was asked to approve, or the one
// made just before an automatic action (with its result). A later event
// without facts (the queueing after an approval) keeps it.
func (s *scanner) facts(d stepPayload) {
	for _, f := range dataFacts {
		if t, err := time.Parse(time.RFC3339, d.Facts[f]); err == nil {
			s.dataAt[d.Step] = t.UTC()
			return
		}
	}
}

// finished reports whether e brings a step to done. Action and check
// steps end with their action's success: the engine emits no
// step.completed for them (a failure leaves them failed, a retry reopens
// them, and only a later success finishes them).
func finished(t plan.EventType) bool {
	return t == plan.EventStepCompleted || t == plan.EventActionSucceeded
}

func (s *scanner) stepFor(a *serviceAgg, phase plan.Phase, step string, e plan.Event) {
	switch phase {
	case plan.PhaseRestoring:
		if e.Type == plan.EventActionSucceeded {
			if t, ok := s.dataAt[step]; ok && (a.m.DataAt.IsZero() || t.Before(a.m.DataAt)) {
				a.m.DataAt = t // the oldest data restored bounds the loss
			}
		}
		if a.m.RestoreStarted.IsZero() && (e.Type == plan.EventStepStarted || e.Type == plan.EventActionStarted) {
			a.m.RestoreStarted = e.At
		}
		if !a.testingSeen && (finished(e.Type) || e.Type == plan.EventStepSkipped) {
			a.lastRestored = e.At
		}
	case plan.PhaseTesting:
		if !a.testingSeen {
			a.testingSeen = true
			a.m.Restored = a.lastRestored
		}
		if finished(e.Type) {
			a.m.Verified = e.At
		}
	}
}

// summary closes the scan.
func (s *scanner) summary() (Summary, error) {
	if s.sum.Events == 0 {
		return s.sum, ErrNoEvents
	}
	sum := s.sum
	sum.Head = s.last.Hash
	sum.GeneratedAt = s.opts.Now().UTC()
	sum.PlanMissing = s.p == nil
	sum.PlanMismatch = s.p != nil && s.p.Hash != "" && sum.PlanHash != "" && s.p.Hash != sum.PlanHash
	until := sum.LastAt
	if sum.Ended == "" && sum.GeneratedAt.After(until) {
		until = sum.GeneratedAt
	}
	sum.Services = make([]Milestones, 0, len(s.order))
	for _, id := range s.order {
		a := s.services[id]
		m := a.m
		if m.Restored.IsZero() && !a.testingSeen && sum.Ended == "closed" {
			m.Restored = a.lastRestored
		}
		m.Status = rtoStatus(&m, until)
		m.RPOStatus = rpoStatus(&m)
		sum.Services = append(sum.Services, m)
	}
	slices.SortStableFunc(sum.Services, func(a, b Milestones) int {
		switch {
		case a.Priority == b.Priority:
			return 0
		case a.Priority == 0:
			return 1
		case b.Priority == 0:
			return -1
		}
		return a.Priority - b.Priority
	})
	return sum, nil
}

// rpoStatus sets m.DataLoss and returns whether it is within the RPO.
func rpoStatus(m *Milestones) RTOStatus {
	if m.DataAt.IsZero() {
		return RTONone
	}
	m.DataLoss = m.Declared.Sub(m.DataAt)
	switch {
	case m.RPO <= 0:
		return RTONone
	case m.DataLoss <= m.RPO:
		return RTOMet
	}
	return RTOMissed
}

// rtoStatus sets m.Achieved and returns the RTO status as of until.
func rtoStatus(m *Milestones, until time.Time) RTOStatus {
	if !m.Restored.IsZero() {
		m.Achieved = m.Restored.Sub(m.Declared)
	}
	switch {
	case m.RTO <= 0:
		return RTONone
	case !m.Restored.IsZero() && m.Achieved <= m.RTO:
		return RTOMet
	case !m.Restored.IsZero() || until.Sub(m.Declared) > m.RTO:
		return RTOMissed
	}
	return RTOPending
}
