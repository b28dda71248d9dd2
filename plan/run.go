package plan

import (
	"encoding/json"
	"fmt"
	"time"
)

// RunState is where a run stands. A run starts declared, moves through the
// phases as its checklist advances, and ends closed or aborted.
type RunState string

const (
	StateDeclared  RunState = "declared"
	StateAssessing RunState = "assessing"
	StateRestoring RunState = "restoring"
	StateTesting   RunState = "testing"
	StateClosed    RunState = "closed"
	StateAborted   RunState = "aborted"
)

// Status is the state of one checklist item.
type Status string

const (
	StatusPending          Status = "pending"
	StatusInProgress       Status = "in_progress"
	StatusAwaitingApproval Status = "awaiting_approval"
	StatusScheduled        Status = "scheduled" // authorised; runs as soon as what it waits for is done
	StatusRunning          Status = "running"
	StatusDone             Status = "done"
	StatusFailed           Status = "failed"
	StatusSkipped          Status = "skipped"
)

// Finished reports whether the item needs no more work.
func (s Status) Finished() bool { return s == StatusDone || s == StatusSkipped }

// Item is a checklist line with its current state.
type Item struct {
	ItemDef
	Status Status
	By     Actor     // who last changed it
	At     time.Time // when
	Reason string    // skip reason or failure
	// Approval state of the current attempt.
	RequestedBy Actor
	RequestedAt time.Time
	Expires     time.Time
	Preflight   string
	Facts       map[string]string // preflight facts confirmed or approved
	ApprovedBy  Actor
	// Action state of the current attempt.
	Attempts int
	Percent  int
	Message  string
	JobID    int64
	// Version is the seq of the last event that changed the item: a
	// button rendered from it is stale once Version moves.
	Version int64
	// ApprovedAt is when the current attempt was approved.
	ApprovedAt time.Time
	// Scheduled marks an item authorised for automatic restore.
	Scheduled bool
}

// Note is a free-text note of the timeline.
type Note struct {
	By   Actor
	At   time.Time
	Text string
}

// Assignment hands a role to someone for this run.
type Assignment struct {
	Role   string
	Person Person
	UserID string
	By     Actor
	At     time.Time
}

// Page is the paging state of one person for one role.
type Page struct {
	Role         string
	Person       string
	UserID       string
	Level        int
	PagedAt      time.Time
	Acknowledged bool
	AckAt        time.Time
	Failures     []string
}

// Run is one activated contingency: a fold of its events over the plan it
// is bound to. Build it with Replay; change it only with Apply.
type Run struct {
	ID       string
	Plan     *Plan
	Declared RunDeclared
	Leader   Actor // who declared it
	Seq      int64
	Head     string
	Order    []string // confirmed service priorities; empty until confirmed
	Items    []*Item  // in checklist order
	Notes    []Note
	Assigned []Assignment
	Pages    []*Page
	Refusals int
	Channels map[string]ChannelCreated // by platform
	Messages map[string]MessagePosted  // by platform + "/" + part
	Ended    RunState                  // closed or aborted, or "" while open
	TornDown bool                      // a drill's leftovers were removed
	EndedAt  time.Time
	Started  bool // any step has moved
	index    map[string]*Item
}

// NewRun returns an empty run bound to plan p.
func NewRun(id string, p *Plan) *Run {
	return &Run{ID: id, Plan: p, Head: GenesisHash, index: map[string]*Item{},
		Channels: map[string]ChannelCreated{}, Messages: map[string]MessagePosted{}}
}

// Replay folds events into a new run.
func Replay(id string, p *Plan, events []Event) (*Run, error) {
	r := NewRun(id, p)
	for _, e := range events {
		if err := r.Apply(e); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Item returns the checklist item with key.
func (r *Run) Item(key string) (*Item, bool) {
	it, ok := r.index[key]
	return it, ok
}

// State derives where the run stands from its checklist.
func (r *Run) State() RunState {
	if r.Ended != "" {
		return r.Ended
	}
	if r.Seq == 0 {
		return ""
	}
	if !r.Started {
		return StateDeclared
	}
	for _, it := range r.Items {
		if !it.Status.Finished() {
			return RunState(it.Phase)
		}
	}
	return StateTesting
}

// PrioritiesConfirmed reports whether the leader has confirmed the order.
func (r *Run) PrioritiesConfirmed() bool { return len(r.Order) > 0 }

// ServiceOrder is the order services are restored in: the confirmed one,
// or the plan's until the leader confirms.
func (r *Run) ServiceOrder() []string {
	if len(r.Order) > 0 {
		return r.Plan.RestoreOrder(r.Order)
	}
	return r.Plan.RestoreOrder(r.Plan.DefaultOrder(r.Declared.Services))
}

// AllFinished reports whether every checklist item is done or skipped.
func (r *Run) AllFinished() bool {
	for _, it := range r.Items {
		if !it.Status.Finished() {
			return false
		}
	}
	return len(r.Items) > 0
}

// Elapsed is the time since the run was declared, up to now or its end.
func (r *Run) Elapsed(now time.Time) time.Duration {
	if !r.EndedAt.IsZero() {
		now = r.EndedAt
	}
	return now.Sub(r.Declared.DeclaredAt)
}

// rebuild re-expands the checklist after the order changed, keeping the
// state of every item.
func (r *Run) rebuild() {
	defs := r.Plan.Expand(r.Declared.Services, r.Declared.Strategy, r.Order)
	items := make([]*Item, 0, len(defs))
	for _, d := range defs {
		it, ok := r.index[d.Key]
		if !ok {
			it = &Item{Status: StatusPending}
			r.index[d.Key] = it
		}
		it.ItemDef = d
		items = append(items, it)
	}
	r.Items = items
}

// Apply folds one event into the run. Events must come in seq order; an
// event the run cannot place is an error (a corrupt or foreign timeline).
func (r *Run) Apply(e Event) error {
	if e.Seq != r.Seq+1 {
		return fmt.Errorf("run %s: event seq %d after %d", r.ID, e.Seq, r.Seq)
	}
	if err := r.apply(e); err != nil {
		return fmt.Errorf("run %s: event %d (%s): %w", r.ID, e.Seq, e.Type, err)
	}
	r.Seq = e.Seq
	r.Head = e.Hash
	return nil
}

func decode[T any](e Event) (T, error) {
	var v T
	err := json.Unmarshal(e.Payload, &v)
	return v, err
}

// item returns the item an event is about and records that the event
// changed it.
func (r *Run) item(key string, e Event) (*Item, error) {
	it, ok := r.index[key]
	if !ok {
		return nil, fmt.Errorf("unknown checklist item %q", key)
	}
	it.Version = e.Seq
	return it, nil
}

func (r *Run) apply(e Event) error {
	if r.Seq == 0 && e.Type != EventRunDeclared {
		return fmt.Errorf("a run must start with %s", EventRunDeclared)
	}
	switch e.Type {
	case EventRunDeclared:
		if r.Seq != 0 {
			return fmt.Errorf("run declared twice")
		}
		d, err := decode[RunDeclared](e)
		if err != nil {
			return err
		}
		r.Declared, r.Leader = d, e.Actor
		r.rebuild()
	case EventPrioritiesConfirmed:
		d, err := decode[PrioritiesConfirmed](e)
		if err != nil {
			return err
		}
		r.Order = d.Order
		r.rebuild()
	case EventStepStarted, EventStepCompleted, EventStepReopened, EventStepScheduled:
		d, err := decode[StepEvent](e)
		if err != nil {
			return err
		}
		it, err := r.item(d.Step, e)
		if err != nil {
			return err
		}
		switch e.Type {
		case EventStepStarted:
			it.Status = StatusInProgress
		case EventStepCompleted:
			it.Status = StatusDone
		case EventStepScheduled:
			it.Status, it.Reason = StatusScheduled, ""
			it.Scheduled = true
		case EventStepReopened:
			it.Status, it.Reason, it.Percent, it.Message = StatusPending, "", 0, ""
			it.Scheduled = false
			it.ApprovedBy, it.RequestedBy, it.ApprovedAt = Actor{}, Actor{}, time.Time{}
		}
		it.By, it.At = e.Actor, e.At
		r.Started = true
	case EventStepSkipped:
		d, err := decode[StepSkipped](e)
		if err != nil {
			return err
		}
		it, err := r.item(d.Step, e)
		if err != nil {
			return err
		}
		it.Status, it.Reason, it.By, it.At = StatusSkipped, d.Reason, e.Actor, e.At
		r.Started = true
	case EventApprovalRequested:
		d, err := decode[ApprovalRequested](e)
		if err != nil {
			return err
		}
		it, err := r.item(d.Step, e)
		if err != nil {
			return err
		}
		it.Status, it.RequestedBy, it.RequestedAt, it.Expires, it.Preflight, it.Facts = StatusAwaitingApproval, e.Actor, e.At, d.Expires, d.Preflight, d.Facts
		it.Scheduled = d.Scheduled
		it.By, it.At, it.ApprovedBy, it.ApprovedAt = e.Actor, e.At, Actor{}, time.Time{}
		r.Started = true
	case EventApprovalGranted, EventApprovalRejected:
		d, err := decode[ApprovalDecision](e)
		if err != nil {
			return err
		}
		it, err := r.item(d.Step, e)
		if err != nil {
			return err
		}
		it.By, it.At = e.Actor, e.At
		if e.Type == EventApprovalGranted {
			it.ApprovedBy, it.ApprovedAt = e.Actor, e.At
		} else {
			it.Status, it.Reason = StatusPending, d.Reason
		}
	case EventActionQueued, EventActionStarted, EventActionProgress, EventActionSucceeded, EventActionFailed, EventActionCancelled:
		d, err := decode[ActionEvent](e)
		if err != nil {
			return err
		}
		it, err := r.item(d.Step, e)
		if err != nil {
			return err
		}
		r.applyAction(it, e, d)
	case EventNoteAdded:
		d, err := decode[NoteAdded](e)
		if err != nil {
			return err
		}
		r.Notes = append(r.Notes, Note{By: e.Actor, At: e.At, Text: d.Text})
	case EventRoleAssigned:
		d, err := decode[RoleAssigned](e)
		if err != nil {
			return err
		}
		r.Assigned = append(r.Assigned, Assignment{Role: d.Role, Person: d.Person, UserID: d.UserID, By: e.Actor, At: e.At})
	case EventPageSent, EventPageFailed, EventPageAcknowledged, EventPageEscalated:
		d, err := decode[PageEvent](e)
		if err != nil {
			return err
		}
		r.applyPage(e, d)
	case EventCommandRefused:
		r.Refusals++
	case EventExported:
	case EventDrillTornDown:
		r.TornDown = true
	case EventChannelCreated:
		d, err := decode[ChannelCreated](e)
		if err != nil {
			return err
		}
		r.Channels[d.Platform] = d
	case EventMessagePosted:
		d, err := decode[MessagePosted](e)
		if err != nil {
			return err
		}
		r.Messages[d.Platform+"/"+d.Part] = d
	case EventRunClosed, EventRunAborted:
		if e.Type == EventRunClosed {
			r.Ended = StateClosed
		} else {
			r.Ended = StateAborted
		}
		r.EndedAt = e.At
	default:
		return fmt.Errorf("unknown event type %q", e.Type)
	}
	return nil
}

func (r *Run) applyAction(it *Item, e Event, d ActionEvent) {
	switch e.Type {
	case EventActionQueued:
		it.Status, it.Percent, it.Message, it.Reason = StatusRunning, 0, "", ""
		if d.Facts != nil {
			it.Facts = d.Facts
		}
		it.By, it.At = e.Actor, e.At
	case EventActionStarted:
		it.Status = StatusRunning // a scheduled item starts when its job does
		it.Attempts++
		it.JobID = d.JobID
		it.Message = d.Message
	case EventActionProgress:
		it.Percent, it.Message = d.Percent, d.Message
	case EventActionSucceeded:
		it.Status, it.Percent, it.Message, it.At = StatusDone, 100, d.Message, e.At
	case EventActionFailed, EventActionCancelled:
		it.Status, it.Reason, it.At = StatusFailed, cmpOr(d.Error, d.Message), e.At
	}
	if (e.Type == EventActionSucceeded || e.Type == EventActionFailed) && d.Facts != nil {
		it.Facts = d.Facts // the dry run made just before a scheduled action
	}
	r.Started = true
}

func (r *Run) applyPage(e Event, d PageEvent) {
	var pg *Page
	for _, p := range r.Pages {
		if p.Role == d.Role && p.Person == d.Person {
			pg = p
		}
	}
	if pg == nil {
		pg = &Page{Role: d.Role, Person: d.Person, UserID: d.UserID, Level: d.Level}
		r.Pages = append(r.Pages, pg)
	}
	switch e.Type {
	case EventPageSent:
		if pg.PagedAt.IsZero() {
			pg.PagedAt = e.At
		}
	case EventPageFailed:
		pg.Failures = append(pg.Failures, d.Channel+": "+d.Error)
	case EventPageAcknowledged:
		pg.Acknowledged, pg.AckAt = true, e.At
	case EventPageEscalated:
	}
}

// Acknowledged reports whether someone holding role acknowledged a page.
func (r *Run) Acknowledged(role string) bool {
	for _, p := range r.Pages {
		if p.Role == role && p.Acknowledged {
			return true
		}
	}
	return false
}

// AcknowledgedBy reports whether the person, by name or platform user id,
// acknowledged the pages about role: that stops every page of that person
// about it, on every channel. An escalation of another role to them is a
// new request: were it skipped, a chain whose next link had acknowledged
// its own role would stop there, and nobody would cover the silent role.
func (r *Run) AcknowledgedBy(role, name, userID string) bool {
	for _, p := range r.Pages {
		if p.Role == role && p.Acknowledged && (p.Person == name || userID != "" && p.UserID == userID) {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
